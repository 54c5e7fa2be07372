# Where the token comes from: the default Authorization: Bearer, or
# auth_jwt_token / token= with any variable, first non-empty wins.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'sources-secret-' . ('q' x 49);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n")
    for qw(default cookie arg header first tokeq tokeq_realm);
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
    auth_jwt_key "$secret";

    location /default/ { auth_jwt on; }
    location /cookie/ { auth_jwt on; auth_jwt_token \$cookie_session; }
    location /arg/ { auth_jwt on; auth_jwt_token \$arg_access_token; }
    location /header/ { auth_jwt on; auth_jwt_token \$http_x_api_token; }
    location /first/ {
        auth_jwt on;
        auth_jwt_token \$http_x_api_token \$cookie_session \$arg_access_token;
    }
    location /tokeq/ { auth_jwt on token=\$cookie_session; }
    location /tokeq_realm/ { auth_jwt "api" token=\$arg_access_token; }
}
EOF
$t->start;

my $good = jwt('HS256', $secret);
my $bad = tamper_sig($good);

my ($st, $h);
my $get = sub {
    my ($path, $name, $status, $result, @headers) = @_;
    ($st, $h) = $t->http_get($path, @headers);
    is($st, $status, "$name: status");
    is($h->{'x-jwt-result'}, $result, "$name: \$jwt_result");
};

# Each source alone.
$get->('/cookie/ok', 'cookie', 200, 'ok', Cookie => "a=b; session=$good; c=d");
$get->('/cookie/ok', 'bad cookie', 401, 'bad_signature',
       Cookie => "session=$bad");
$get->('/arg/ok?access_token=' . $good, 'query arg', 200, 'ok');
$get->('/arg/ok?x=1&access_token=' . $bad, 'bad query arg', 401,
       'bad_signature');
$get->('/header/ok', 'custom header', 200, 'ok', 'X-API-Token' => $good);
$get->('/header/ok', 'bad custom header', 401, 'bad_signature',
       'X-API-Token' => $bad);

# Other variables are used raw: a Bearer prefix there is part of the token.
$get->('/header/ok', 'custom header with Bearer prefix', 401, 'malformed',
       'X-API-Token' => "Bearer $good");

# Configured sources replace the Authorization header.
$get->('/cookie/ok', 'cookie location ignores Authorization', 401, 'missing',
       Authorization => "Bearer $good");
is($h->{'www-authenticate'}, 'Bearer', 'no error= when the source is empty');

# First non-empty source wins, even when it fails.
$get->('/first/ok', 'first: header only', 200, 'ok', 'X-API-Token' => $good);
$get->('/first/ok', 'first: cookie only', 200, 'ok',
       Cookie => "session=$good");
$get->("/first/ok?access_token=$good", 'first: arg only', 200, 'ok');
$get->('/first/ok', 'first: good header before bad cookie', 200, 'ok',
       'X-API-Token' => $good, Cookie => "session=$bad");
$get->('/first/ok', 'first: bad header before good cookie', 401,
       'bad_signature', 'X-API-Token' => $bad, Cookie => "session=$good");
$get->("/first/ok?access_token=$good", 'first: empty header skipped', 200,
       'ok', 'X-API-Token' => '');
$get->('/first/ok', 'first: none', 401, 'missing');

# token= is auth_jwt_token with one variable.
$get->('/tokeq/ok', 'token=: cookie', 200, 'ok', Cookie => "session=$good");
$get->('/tokeq/ok', 'token=: Authorization ignored', 401, 'missing',
       Authorization => "Bearer $good");
$get->("/tokeq_realm/ok?access_token=$good", 'realm token=: arg', 200, 'ok');
$get->("/tokeq_realm/ok?access_token=$bad", 'realm token=: bad arg', 401,
       'bad_signature');
is($h->{'www-authenticate'}, 'Bearer realm="api", error="invalid_token"',
   'realm token=: challenge');

# The default source.
$get->('/default/ok', 'default: Bearer', 200, 'ok',
       Authorization => "Bearer $good");
$get->('/default/ok', 'default: cookie not used', 401, 'missing',
       Cookie => "session=$good");
$get->('/default/ok', 'default: Basic', 401, 'missing',
       Authorization => 'Basic YTpi');

$t->stop;

done_testing;
