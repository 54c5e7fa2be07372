# A verdict reached under one configuration is never reused under another
# that verifies differently: a variable read at server level, or a
# "rewrite ... last" into another location, must not let a token signed
# for one location into another with its own keys.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $low = 'low-privilege-secret-' . ('l' x 43);
my $admin = 'admin-only-secret-' . ('a' x 46);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "$_\n") for qw(admin r);
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;

    auth_jwt "srv";
    auth_jwt_key "$low";

    # read at server level, in the rewrite phase, before any location
    set \$who \$jwt_claim_sub;
    add_header X-Who \$who always;
    add_header X-Jwt-Result \$jwt_result always;

    location /admin/ {
        auth_jwt_key "$admin";
    }

    location /r/ {
        set \$seen \$jwt_result;
        rewrite ^/r/(.*)\$ /admin/\$1 last;
    }

    location /same/ {
        # inherits everything: the server-level verdict stands
        alias %%TESTDIR%%/html/r/;
    }
}
EOF
$t->start;

my $low_token = jwt('HS256', $low, { sub => 'mallory' });
my $admin_token = jwt('HS256', $admin, { sub => 'root' });

my ($st, $h) = $t->http_get('/admin/ok', Authorization => "Bearer $low_token");
is($st, 401, 'server-level read does not carry a verdict into /admin/');
is($h->{'x-jwt-result'}, 'bad_signature', '/admin/ verified with its own key');

($st) = $t->http_get('/admin/ok', Authorization => "Bearer $admin_token");
is($st, 200, 'admin token accepted at /admin/');

($st) = $t->http_get('/r/ok', Authorization => "Bearer $low_token");
is($st, 401, 'rewrite ... last into /admin/ verifies again');

($st, $h) = $t->http_get('/same/ok', Authorization => "Bearer $low_token");
is($st, 200, 'a location that verifies alike reuses the verdict');
is($h->{'x-who'}, 'mallory', 'claim read at server level');

my $mark = $t->log_mark;
$t->http_get('/same/ok', Authorization => "Bearer " . tamper_sig($low_token));
my @lines = grep { /auth_jwt:/ } split /\n/, $t->log_since($mark);
is(scalar @lines, 1, 'verified once when the configuration is alike');

$t->stop;
done_testing;
