# How the check combines with nginx's other access machinery: satisfy any
# with allow/deny and auth_basic, error_page 401, variables read in the
# rewrite phase before the access check, and subrequests.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'access-test-secret-' . ('y' x 45);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "$_\n") for qw(any anybasic page early ssi);
$t->write_file('html/ssi/index.html',
               "main <!--# include virtual=\"/ssi/part\" -->\n");
$t->write_file('html/ssi/part', "part\n");
$t->write_file('htpasswd', 'user:' . crypt('password', 'ab') . "\n");
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    auth_jwt_key "$secret";
    add_header X-Jwt-Result \$jwt_result always;

    # loopback may enter without a token
    location /any/ {
        satisfy any;
        allow 127.0.0.1;
        deny all;
        auth_jwt on;
    }

    # a token or a password
    location /anybasic/ {
        satisfy any;
        auth_basic "pw";
        auth_basic_user_file %%TESTDIR%%/htpasswd;
        auth_jwt on;
    }

    # browsers without a token go to a login page
    location /page/ {
        auth_jwt on;
        error_page 401 = \@login;
    }
    location \@login {
        return 302 /login?from=\$request_uri;
    }

    # a claim read in the rewrite phase, before the access check
    location /early/ {
        auth_jwt on;
        set \$who \$jwt_claim_sub;
        add_header X-Who \$who always;
        add_header X-Jwt-Result \$jwt_result always;
    }

    # a subrequest shares the main request's verdict
    location /ssi/ {
        auth_jwt on;
        ssi on;
        ssi_types *;
    }
}
EOF
$t->start;

my $good = jwt('HS256', $secret, { sub => 'carol' });
my $bad = tamper_sig($good);

my ($st, $h, $body) = $t->http_get('/any/ok');
is($st, 200, 'satisfy any: allowed address enters without a token');

($st, $h) = $t->http_get('/anybasic/ok');
is($st, 401, 'satisfy any with auth_basic: nothing given');

($st) = $t->http_get('/anybasic/ok', Authorization => "Bearer $good");
is($st, 200, 'satisfy any with auth_basic: a token is enough');

($st) = $t->http_get('/anybasic/ok',
                     Authorization => 'Basic ' . b64std('user:password'));
is($st, 200, 'satisfy any with auth_basic: a password is enough');

($st) = $t->http_get('/anybasic/ok', Authorization => "Bearer $bad");
is($st, 401, 'satisfy any with auth_basic: a forged token is not');

($st, $h) = $t->http_get('/page/ok');
is($st, 302, 'error_page 401: redirect to login');
is(($h->{location} // '') =~ s{^https?://[^/]+}{}r, '/login?from=/page/ok',
   'error_page 401: login URL carries the original URI');

($st, $h, $body) = $t->http_get('/page/ok', Authorization => "Bearer $good");
is($st, 200, 'error_page 401: a valid token is served');

($st, $h) = $t->http_get('/early/ok', Authorization => "Bearer $good");
is($st, 200, 'claim read by "set": request passes');
is($h->{'x-who'}, 'carol', 'claim read by "set" in the rewrite phase');

my $mark = $t->log_mark;
($st, $h) = $t->http_get('/early/ok', Authorization => "Bearer $bad");
is($st, 401, 'claim read by "set", forged token: 401');
is($h->{'x-who'} // '', '', 'forged token: "set" sees nothing');
my @lines = grep { /auth_jwt:/ } split /\n/, $t->log_since($mark);
is(scalar @lines, 1, 'verified once: one log line for two reads');

($st, $h, $body) = $t->http_get('/ssi/index.html',
                                Authorization => "Bearer $good");
is($st, 200, 'ssi page with a token');
like($body, qr/main .*part/s, "subrequest served under the main verdict");

($st) = $t->http_get('/ssi/index.html');
is($st, 401, 'ssi page without a token');

$t->stop;
done_testing;

sub b64std
{
    require MIME::Base64;
    return MIME::Base64::encode_base64($_[0], '');
}
