# auth_jwt_optional, auth_jwt_allow_preflight, auth_jwt_strip_token (each
# kind of token source) and auth_jwt_login_url.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'modes-test-secret-' . ('m' x 46);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n") for qw(opt optrule login loginrel);

$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
    auth_jwt "modes";
    auth_jwt_key "$secret";

    location /opt/ {
        auth_jwt_optional on;
        add_header X-Sub "\$jwt_claim_sub" always;
        add_header X-Jwt-Result \$jwt_result always;
    }
    location /optrule/ {
        auth_jwt_optional on;
        auth_jwt_claims "role=admin";
    }

    location /pre/ {
        auth_jwt_allow_preflight on;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /nopre/ {
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }

    location /nostrip/ {
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip/ {
        auth_jwt_strip_token on;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip-header/ {
        auth_jwt_token \$http_x_token;
        auth_jwt_strip_token on;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip-cookie/ {
        auth_jwt_token \$cookie_session;
        auth_jwt_strip_token on;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip-arg/ {
        auth_jwt_token \$arg_access_token;
        auth_jwt_strip_token on;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip-two/ {
        auth_jwt_token \$cookie_session \$http_authorization;
        auth_jwt_strip_token on;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    # the token forwarded on purpose through a variable
    location /strip-explicit/ {
        auth_jwt_strip_token on;
        proxy_set_header Authorization \$http_authorization;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip-cookie-explicit/ {
        auth_jwt_token \$cookie_session;
        auth_jwt_strip_token on;
        proxy_set_header Cookie \$http_cookie;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }
    location /strip-rule/ {
        auth_jwt_strip_token on;
        auth_jwt_claims "role=admin";
        proxy_pass http://127.0.0.1:%%PORT2%%/;
    }

    location /login/ {
        auth_jwt_login_url "https://login.example.com/?return_to=\$scheme://\$host\$request_uri";
        auth_jwt_claims "role=admin";
    }
}

server {
    listen 127.0.0.1:%%PORT2%%;

    location / {
        return 200 "method=\$request_method\\nuri=\$request_uri\\nauthorization=\$http_authorization\\ncookie=\$http_cookie\\nx-token=\$http_x_token\\n";
    }
}
EOF
$t->start;

my $good = jwt('HS256', $secret, {role => 'admin'});
my $user = jwt('HS256', $secret, {role => 'user'});
my $bad = tamper_sig($good);

sub backend_vars
{
    my ($body) = @_;
    return { map { /^([^=]+)=(.*)$/ ? ($1 => $2) : () } split /\n/, $body };
}

sub auth_lines
{
    my ($mark) = @_;
    return grep { /auth_jwt:/ } split /\n/, $t->log_since($mark);
}

my ($st, $h, $body, $v, $mark);

# auth_jwt_optional.
$mark = $t->log_mark;
($st, $h, $body) = $t->http_get('/opt/ok');
is($st, 200, 'optional: no token passes');
is($body, "ok\n", 'optional: no token: content served');
is($h->{'x-sub'} // '', '', 'optional: no token: claim variable empty');
is($h->{'x-jwt-result'}, 'missing', 'optional: no token: $jwt_result missing');
ok(!exists $h->{'www-authenticate'}, 'optional: no token: no challenge');
is(scalar auth_lines($mark), 0, 'optional: no token: nothing logged');

($st, $h) = $t->http_get('/opt/ok', Authorization => 'Basic dXNlcjpwYXNz');
is($st, 200, 'optional: other credentials count as no token');

($st, $h) = $t->http_get('/opt/ok', Authorization => "Bearer $good");
is($st, 200, 'optional: valid token passes');
is($h->{'x-sub'}, 'alice', 'optional: valid token: claim variable set');
is($h->{'x-jwt-result'}, 'ok', 'optional: valid token: $jwt_result ok');

$t->auth_is('/opt/ok', $bad, 401, 'bad_signature',
            'optional: a bad token is still refused');
($st, $h) = $t->http_get('/opt/ok', Authorization => "Bearer $bad");
is($h->{'www-authenticate'}, 'Bearer realm="modes", error="invalid_token"',
   'optional: bad token: invalid_token challenge');
is($h->{'x-sub'} // '', '', 'optional: bad token: no claim');
$t->auth_is('/opt/ok', jwt('HS256', $secret, {exp => time - 60}), 401,
            'expired', 'optional: an expired token is still refused');
$t->auth_is('/opt/ok', 'garbage', 401, 'malformed',
            'optional: garbage is still refused');

($st) = $t->http_get('/optrule/ok');
is($st, 200, 'optional with rules: no token passes');
($st, $h) = $t->http_get('/optrule/ok', Authorization => "Bearer $user");
is($st, 403, 'optional with rules: a token failing the rule: 403');
is($h->{'x-jwt-result'}, 'claim_rule_failed',
   'optional with rules: claim_rule_failed');
($st) = $t->http_get('/optrule/ok', Authorization => "Bearer $good");
is($st, 200, 'optional with rules: a token holding the rule');

# auth_jwt_allow_preflight.
sub options
{
    my ($path, @headers) = @_;
    my $req = "OPTIONS $path HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\nOrigin: https://app.example.com\r\n";
    while (my ($name, $value) = splice @headers, 0, 2) {
        $req .= "$name: $value\r\n";
    }
    return $t->http("$req\r\n");
}

($st, $h, $body) = options('/pre/x', 'Access-Control-Request-Method' => 'POST');
is($st, 200, 'preflight: passes without a token');
is(backend_vars($body)->{method}, 'OPTIONS', 'preflight: reaches the upstream');
($st) = options('/pre/x', 'access-control-request-method' => 'GET',
                'Access-Control-Request-Headers' => 'authorization');
is($st, 200, 'preflight: header name in any case');
($st, $h) = options('/pre/x');
is($st, 401, 'preflight on: plain OPTIONS without the header is checked');
is($h->{'x-jwt-result'}, 'missing', 'plain OPTIONS: missing');
($st) = options('/pre/x', Authorization => "Bearer $good");
is($st, 200, 'preflight on: plain OPTIONS with a token');
($st) = $t->http_get('/pre/x', 'Access-Control-Request-Method' => 'GET');
is($st, 401, 'preflight on: GET with the header is still checked');
($st) = $t->http("POST /pre/x HTTP/1.1\r\nHost: localhost\r\n"
                 . "Connection: close\r\nContent-Length: 0\r\n"
                 . "Access-Control-Request-Method: POST\r\n\r\n");
is($st, 401, 'preflight on: POST with the header is still checked');
($st) = options('/nopre/x', 'Access-Control-Request-Method' => 'POST');
is($st, 401, 'preflight off (default): preflight gets 401');

# auth_jwt_strip_token.
($st, $h, $body) = $t->http_get('/nostrip/x', Authorization => "Bearer $good");
is($st, 200, 'strip off: proxied');
is(backend_vars($body)->{authorization}, "Bearer $good",
   'strip off (default): Authorization reaches the upstream');

($st, $h, $body) = $t->http_get('/strip/x', Authorization => "Bearer $good",
                                Cookie => 'a=1', 'X-Token' => 'kept');
is($st, 200, 'strip Authorization: proxied');
$v = backend_vars($body);
is($v->{authorization}, '', 'strip Authorization: header removed');
is($v->{cookie}, 'a=1', 'strip Authorization: Cookie kept');
is($v->{'x-token'}, 'kept', 'strip Authorization: other headers kept');

($st, $h, $body) = $t->http_get('/strip-header/x', 'X-Token' => $good,
                                Authorization => 'Basic dXNlcjpwYXNz');
is($st, 200, 'strip $http_x_token: proxied');
$v = backend_vars($body);
is($v->{'x-token'}, '', 'strip $http_x_token: X-Token removed');
is($v->{authorization}, 'Basic dXNlcjpwYXNz',
   'strip $http_x_token: Authorization kept');

($st, $h, $body) = $t->http_get('/strip-header/x', 'x-TOKEN' => $good);
is($st, 200, 'strip $http_x_token: header name in another case');
is(backend_vars($body)->{'x-token'}, '',
   'strip $http_x_token: removed whatever its case');

($st, $h, $body) = $t->http_get('/strip-cookie/x',
                                Cookie => "a=1; session=$good; b=2",
                                Authorization => 'Basic dXNlcjpwYXNz');
is($st, 200, 'strip $cookie_session: proxied');
$v = backend_vars($body);
is($v->{cookie}, 'a=1; b=2', 'strip $cookie_session: other cookies kept');
is($v->{authorization}, 'Basic dXNlcjpwYXNz',
   'strip $cookie_session: Authorization kept');

($st, $h, $body) = $t->http_get('/strip-cookie/x', Cookie => "session=$good");
is($st, 200, 'strip $cookie_session: only cookie');
is(backend_vars($body)->{cookie}, '',
   'strip $cookie_session: Cookie header dropped when nothing is left');

($st, $h, $body) = $t->http_get('/strip-cookie/x',
                                Cookie => "session2=keep; session=$good");
is(backend_vars($body)->{cookie}, 'session2=keep',
   'strip $cookie_session: a cookie whose name starts alike is kept');

($st, $h, $body) = $t->http_get('/strip-cookie/x', Cookie => 'first=1',
                                Cookie => "session=$good; last=2");
is($st, 200, 'strip $cookie_session: two Cookie headers');
$v = backend_vars($body);
unlike($v->{cookie} // '', qr/session=/,
       'strip $cookie_session: token gone from every Cookie header');
like($v->{cookie} // '', qr/first=1/, 'two Cookie headers: first kept');
like($v->{cookie} // '', qr/last=2/, 'two Cookie headers: other cookie kept');

($st, $h, $body) = $t->http_get("/strip-arg/x?access_token=$good",
                                Authorization => 'Basic dXNlcjpwYXNz');
is($st, 200, 'strip $arg_access_token: proxied');
$v = backend_vars($body);
is($v->{uri}, "/x?access_token=$good",
   'strip $arg_access_token: a query argument is not stripped');
is($v->{authorization}, 'Basic dXNlcjpwYXNz',
   'strip $arg_access_token: headers untouched');

($st, $h, $body) = $t->http_get('/strip-two/x', Cookie => "session=$good",
                                Authorization => "Bearer $user");
is($st, 200, 'strip two sources: proxied');
$v = backend_vars($body);
is($v->{cookie}, '', 'strip two sources: the source used is removed');
is($v->{authorization}, "Bearer $user",
   'strip two sources: the source not used is kept');

($st, $h, $body) = $t->http_get('/strip-two/x', Authorization => "Bearer $good",
                                Cookie => 'a=1');
$v = backend_vars($body);
is($v->{authorization}, '', 'strip two sources: second source removed');
is($v->{cookie}, 'a=1', 'strip two sources: first source absent, Cookie kept');

($st, $h) = $t->http_get('/strip-rule/x', Authorization => "Bearer $user");
is($st, 403, 'strip with a failed rule: refused before anything is proxied');
($st, $h, $body) = $t->http_get('/strip-rule/x',
                                Authorization => "Bearer $good");
is(backend_vars($body)->{authorization}, '',
   'strip with a rule that holds: removed');

($st, $h, $body) = $t->http_get('/strip-explicit/x',
                                Authorization => "Bearer $good");
is(backend_vars($body)->{authorization}, '',
   'strip: proxy_set_header Authorization $http_authorization '
   . 'does not bring the token back');

TODO: {
    # nginx 1.22 builds $http_cookie from its own list of Cookie headers,
    # which stripping does not rebuild (documented in the README)
    local $TODO = '$http_cookie still shows the stripped cookie';
    ($st, $h, $body) = $t->http_get('/strip-cookie-explicit/x',
                                    Cookie => "a=1; session=$good");
    is(backend_vars($body)->{cookie}, 'a=1',
       'strip: proxy_set_header Cookie $http_cookie does not bring the '
       . 'token back');
}

# auth_jwt_login_url.
sub login_is
{
    my ($path, $token, $code, $name) = @_;
    my $mark = $t->log_mark;
    my ($st, $h) = $t->http_get($path,
                                defined $token
                                ? (Authorization => "Bearer $token") : ());
    is($st, 302, "$name: 302");
    is($h->{location}, "https://login.example.com/?return_to=http://localhost$path",
       "$name: Location carries the original URL");
    ok(!exists $h->{'www-authenticate'}, "$name: no challenge");
    is($h->{'x-jwt-result'}, $code, "$name: \$jwt_result $code");
    my @lines = auth_lines($mark);
    ok(@lines == 1 && $lines[0] =~ /\[info\].*\b$code\b/,
       "$name: one info line with \"$code\"")
        or diag(join "\n", @lines);
}

login_is('/login/ok', undef, 'missing', 'login_url: no token');
login_is('/login/ok?page=2&x=y', undef, 'missing',
         'login_url: no token, with a query string');
login_is('/login/ok', $bad, 'bad_signature', 'login_url: forged token');
login_is('/login/ok', jwt('HS256', $secret, {role => 'admin',
                                              exp => time - 60}),
         'expired', 'login_url: expired token');

($st, $h) = $t->http_get('/login/ok', Authorization => "Bearer $user");
is($st, 403, 'login_url: a rule failure still answers 403');
ok(!exists $h->{location}, 'login_url: 403 without Location');
is($h->{'www-authenticate'}, 'Bearer realm="modes", error="insufficient_scope"',
   'login_url: 403 with insufficient_scope');

($st, $h, $body) = $t->http_get('/login/ok', Authorization => "Bearer $good");
is($st, 200, 'login_url: a valid token passes');
is($body, "ok\n", 'login_url: content served');

$t->stop;

done_testing;
