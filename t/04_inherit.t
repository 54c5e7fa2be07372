# Directives set at http, server and location level are inherited and
# overridden as nginx's own are; "auth_jwt off" disables an inner level.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $key_a = 'inherit-key-a-' . ('a' x 50);
my $key_b = 'inherit-key-b-' . ('b' x 50);

my $t = JwtTest->new;
$t->write_file("html/$_", "ok\n")
    for qw(inherit/ok off/ok realm/ok keyb/ok alg/ok exp/ok
           outer/ok outer/inner/ok outer/inner/deeper/ok src/ok);
$t->write_conf(<<"EOF");
http {
    auth_jwt "top";
    auth_jwt_key "$key_a";
    auth_jwt_alg HS256 HS384;

    server {
        listen 127.0.0.1:%%PORT%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;

        location /inherit/ { }
        location /off/ { auth_jwt off; }
        location /realm/ { auth_jwt "inner"; }
        location /keyb/ { auth_jwt_key "$key_b"; }
        location /alg/ { auth_jwt_alg HS512; }
        location /exp/ { auth_jwt_require_exp off; }
        location /src/ { auth_jwt_token \$cookie_t; }

        location /outer/ {
            auth_jwt "outer";
            location /outer/inner/ {
                auth_jwt off;
                location /outer/inner/deeper/ { auth_jwt on; }
            }
        }
    }

    server {
        listen 127.0.0.1:%%PORT2%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;
        auth_jwt off;

        location /inherit/ { }
        location /realm/ { auth_jwt "second"; }
    }
}
EOF
$t->start;

my $tok_a = jwt('HS256', $key_a);
my $tok_b = jwt('HS256', $key_b);

my ($st, $h) = $t->http_get('/inherit/ok');
is($st, 401, 'http-level auth_jwt inherited');
is($h->{'www-authenticate'}, 'Bearer realm="top"', 'http-level realm');
$t->auth_is('/inherit/ok', $tok_a, 200, 'ok', 'inherited key');

($st) = $t->http_get('/off/ok');
is($st, 200, 'off in a location');

($st, $h) = $t->http_get('/realm/ok');
is($h->{'www-authenticate'}, 'Bearer realm="inner"', 'realm overridden');
$t->auth_is('/realm/ok', $tok_a, 200, 'ok', 'overridden realm, inherited key');

# A location's keys replace the inherited ones.
$t->auth_is('/keyb/ok', $tok_b, 200, 'ok', 'location key');
$t->auth_is('/keyb/ok', $tok_a, 401, 'bad_signature',
            'inherited key replaced');

# Allowlist inherited and overridden.
$t->auth_is('/inherit/ok', jwt('HS384', $key_a), 200, 'ok',
            'inherited allowlist: HS384');
$t->auth_is('/inherit/ok', jwt('HS512', $key_a), 401, 'alg_not_allowed',
            'inherited allowlist: HS512');
$t->auth_is('/alg/ok', jwt('HS512', $key_a), 200, 'ok',
            'overridden allowlist: HS512');
$t->auth_is('/alg/ok', $tok_a, 401, 'alg_not_allowed',
            'overridden allowlist: HS256');

# require_exp inherited (on by default) and overridden.
my $no_exp = jwt('HS256', $key_a, {exp => undef});
$t->auth_is('/inherit/ok', $no_exp, 401, 'missing_exp', 'default require_exp');
$t->auth_is('/exp/ok', $no_exp, 200, 'ok', 'require_exp off in a location');

# Token source overridden.
($st, $h) = $t->http_get('/src/ok', Cookie => "t=$tok_a");
is($st, 200, 'location token source');
($st, $h) = $t->http_get('/src/ok', Authorization => "Bearer $tok_a");
is($st, 401, 'location token source replaces Authorization');

# Nested locations.
($st, $h) = $t->http_get('/outer/ok');
is($h->{'www-authenticate'}, 'Bearer realm="outer"', 'outer location');
($st) = $t->http_get('/outer/inner/ok');
is($st, 200, 'nested off');
($st, $h) = $t->http_get('/outer/inner/deeper/ok');
is($st, 401, 'nested on again');
is($h->{'www-authenticate'}, 'Bearer', 'nested on: no realm');
$t->auth_is('/outer/inner/deeper/ok', $tok_a, 200, 'ok',
            'nested on: key from http level');

# The second server turns it off at server level.
($st) = $t->http('GET /inherit/ok HTTP/1.0' . "\r\n\r\n", port => $t->port2);
is($st, 200, 'server-level off');
($st, $h) = $t->http("GET /realm/ok HTTP/1.0\r\n\r\n", port => $t->port2);
is($st, 401, 'location on under server off');
is($h->{'www-authenticate'}, 'Bearer realm="second"', 'its realm');
($st) = $t->http("GET /realm/ok HTTP/1.0\r\nAuthorization: Bearer $tok_a"
                 . "\r\n\r\n", port => $t->port2);
is($st, 200, 'key inherited from http into the second server');

$t->stop;

done_testing;
