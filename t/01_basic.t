# auth_jwt on / realm, the 401 answer (RFC 6750), the Bearer scheme and the
# one-line rejection log.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'basic-test-secret-' . ('x' x 46);    # 64 bytes: every HS alg

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n") for qw(open on realm);
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;

    auth_jwt_key "$secret";

    location /open/ { }
    location /on/ { auth_jwt on; }
    location /realm/ { auth_jwt "api"; }
}
EOF
$t->start;

my $good = jwt('HS256', $secret);
my $bad = tamper_sig($good);

my ($st, $h, $body) = $t->http_get('/open/ok');
is($st, 200, 'unprotected location');
ok(!exists $h->{'www-authenticate'}, 'no challenge when unprotected');

# No token: plain challenge, no error attribute.
($st, $h, $body) = $t->http_get('/on/ok');
is($st, 401, 'on: no token');
is($h->{'www-authenticate'}, 'Bearer', 'on: challenge without realm');
is($h->{'x-jwt-result'}, 'missing', 'on: $jwt_result missing');

($st, $h) = $t->http_get('/realm/ok');
is($st, 401, 'realm: no token');
is($h->{'www-authenticate'}, 'Bearer realm="api"', 'realm: challenge');

# A good token.
($st, $h, $body) = $t->http_get('/on/ok', Authorization => "Bearer $good");
is($st, 200, 'on: valid token');
is($body, "ok\n", 'on: file served');
is($h->{'x-jwt-result'}, 'ok', 'on: $jwt_result ok');
ok(!exists $h->{'www-authenticate'}, 'on: no challenge on success');

$t->auth_is('/realm/ok', $good, 200, 'ok', 'realm: valid token');

# A rejected token adds error="invalid_token".
($st, $h) = $t->http_get('/on/ok', Authorization => "Bearer $bad");
is($st, 401, 'on: bad token');
is($h->{'www-authenticate'}, 'Bearer error="invalid_token"',
   'on: challenge with error');

($st, $h) = $t->http_get('/realm/ok', Authorization => "Bearer $bad");
is($h->{'www-authenticate'}, 'Bearer realm="api", error="invalid_token"',
   'realm: challenge with error');

$t->auth_is('/on/ok', $bad, 401, 'bad_signature', 'tampered');
$t->auth_is('/on/ok', 'not-a-token', 401, 'malformed', 'garbage');

# RFC 7235 2.1: the scheme is case-insensitive; other schemes are no token.
for my $scheme (qw(bearer BEARER BeArEr)) {
    ($st) = $t->http_get('/on/ok', Authorization => "$scheme $good");
    is($st, 200, "scheme \"$scheme\" accepted");
}

($st, $h) = $t->http_get('/realm/ok', Authorization => 'Basic dXNlcjpwYXNz');
is($st, 401, 'Basic credentials: 401');
is($h->{'www-authenticate'}, 'Bearer realm="api"',
   'Basic credentials count as no token');
is($h->{'x-jwt-result'}, 'missing', 'Basic credentials: missing');

($st, $h) = $t->http_get('/realm/ok', Authorization => "Token $good");
is($h->{'x-jwt-result'}, 'missing', 'unknown scheme: missing');

($st, $h) = $t->http_get('/realm/ok', Authorization => $good);
is($st, 401, 'token without scheme: 401');

# The 401 keeps nginx's own body and no claim leaks into it.
($st, $h, $body) = $t->http_get('/on/ok', Authorization => "Bearer $bad");
like($body, qr/401 Authorization Required/, '401 body is nginx\'s page');
unlike($body, qr/alice/, 'no claim in 401 body');

# Exactly one info line per rejection, without the token.
my $mark = $t->log_mark;
$t->http_get('/on/ok', Authorization => "Bearer $bad");
my @lines = grep { /auth_jwt:/ } split /\n/, $t->log_since($mark);
is(scalar @lines, 1, 'one auth_jwt line per rejection');
like($lines[0] // '', qr/\[info\].*auth_jwt: .*bad_signature/,
     'line at info with the reason code');
my ($hb, $pb, $sb) = split /\./, $bad;
unlike($t->log_since($mark), qr/\Q$pb\E|\Q$sb\E/, 'token not logged');

$mark = $t->log_mark;
$t->http_get('/on/ok');
@lines = grep { /auth_jwt:/ } split /\n/, $t->log_since($mark);
is(scalar @lines, 1, 'missing token: one auth_jwt line');
like($lines[0] // '', qr/\[info\].*auth_jwt: .*missing/,
     'missing token logged at info');

$mark = $t->log_mark;
$t->http_get('/on/ok', Authorization => "Bearer $good");
is(scalar(grep { /auth_jwt:/ } split /\n/, $t->log_since($mark)), 0,
   'accepted token: no auth_jwt line at info or above');

# HEAD and a query string do not change the verdict.
($st) = $t->http("HEAD /on/ok HTTP/1.0\r\n"
                 . "Authorization: Bearer $good\r\n\r\n");
is($st, 200, 'HEAD with valid token');
($st) = $t->http_get('/on/ok?x=1', Authorization => "Bearer $good");
is($st, 200, 'query string');

$t->stop;

done_testing;
