# $jwt_claim_*, $jwt_header_*, $jwt_payload and $jwt_result in
# proxy_set_header, add_header, map, if, set and log_format.

use strict;
use warnings;

use Test::More;
use JSON::PP ();

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'variables-secret-' . ('v' x 47);

my $t = JwtTest->new;
$t->write_file('keys/jwks.json', json({keys => [
    {kty => 'oct', kid => 'k1', k => b64u($secret)},
]}));
$t->write_file("html/$_/ok", "ok\n") for qw(file admin log set);

my @proxied = qw(sub num float true false arr nums obj ctl nul utf8 missing
                 role);
my $proxy_headers = join "\n", map {
    "        proxy_set_header X-C-$_ \$jwt_claim_$_;"
} @proxied;
my $backend = join '', (map { "c-$_=\$http_x_c_$_\\n" } @proxied),
    map { "$_=\$http_x_$_\\n" } qw(alg kid typ result payload);

$t->write_conf(<<"EOF");
map \$jwt_claim_role \$is_admin {
    admin   yes;
    default no;
}

log_format jwt '\$jwt_result sub=\$jwt_claim_sub alg=\$jwt_header_alg';

server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    auth_jwt on;
    auth_jwt_key file=keys/jwks.json;

    location /api/ {
$proxy_headers
        proxy_set_header X-Alg \$jwt_header_alg;
        proxy_set_header X-Kid \$jwt_header_kid;
        proxy_set_header X-Typ \$jwt_header_typ;
        proxy_set_header X-Payload \$jwt_payload;
        proxy_set_header X-Result \$jwt_result;
        proxy_pass http://127.0.0.1:%%PORT2%%;
    }

    location /file/ {
        add_header X-Jwt-Result \$jwt_result always;
        add_header X-Sub \$jwt_claim_sub always;
        add_header X-Ctl \$jwt_claim_ctl always;
        add_header X-Alg \$jwt_header_alg always;
        add_header X-Payload \$jwt_payload always;
        add_header X-Admin \$is_admin always;
    }

    location /admin/ {
        if (\$jwt_claim_role != "admin") {
            return 403;
        }
    }

    location /set/ {
        set \$who \$jwt_claim_sub;
        add_header X-Who \$who always;
        add_header X-Jwt-Result \$jwt_result always;
    }

    location /log/ {
        access_log %%TESTDIR%%/access.log jwt;
    }
}

server {
    listen 127.0.0.1:%%PORT2%%;
    location / {
        return 200 "$backend";
    }
}
EOF
$t->start;

my %claims = (
    sub   => 'alice',
    num   => 42,
    float => 1.5,
    true  => JSON::PP::true,
    false => JSON::PP::false,
    arr   => ['a', 'b'],
    nums  => [1, 2],
    obj   => {k => 'v'},
    ctl   => "a\nb\tc",
    utf8  => "h\x{e9}llo",
    role  => 'admin',
    exp   => time + 300,
);
my $tok = jwt('HS256', $secret, \%claims, {kid => 'k1', typ => 'JWT'});

sub backend_vars
{
    my ($body) = @_;
    return { map { /^([^=]+)=(.*)$/ ? ($1 => $2) : () } split /\n/, $body };
}

my ($st, $h, $body) = $t->http_get('/api/x', Authorization => "Bearer $tok");
is($st, 200, 'proxied with a valid token');
my $v = backend_vars($body);

is($v->{'c-sub'}, 'alice', 'string claim raw');
is($v->{'c-num'}, '42', 'number claim as JSON text');
is($v->{'c-float'}, '1.5', 'fraction claim as JSON text');
is($v->{'c-true'}, 'true', 'true claim');
is($v->{'c-false'}, 'false', 'false claim');
is($v->{'c-arr'}, 'a,b', 'array of strings joined by ","');
is($v->{'c-nums'}, '1,2', 'array of numbers joined by ","');
is($v->{'c-obj'}, '{"k":"v"}', 'object claim as compact JSON');
like($v->{'c-ctl'}, qr/^a\\u000[aA]b\\u0009c$/, 'control characters escaped');
is($v->{'c-utf8'}, "h\xc3\xa9llo", 'UTF-8 string raw');
is($v->{'c-missing'}, '', 'missing claim empty');
is($v->{alg}, 'HS256', '$jwt_header_alg');
is($v->{kid}, 'k1', '$jwt_header_kid');
is($v->{typ}, 'JWT', '$jwt_header_typ');
is($v->{result}, 'ok', '$jwt_result upstream');

# RFC 8259 allows "\u0000" in a string, but a NUL can cut a C string short
# (a claim name, an upstream's parser): such a payload is refused.
my $nul = jwt('HS256', $secret, {nul => "a\0b"}, {kid => 'k1'});
($st, $h, $body) = $t->http_get('/file/x', Authorization => "Bearer $nul");
is($st, 401, 'claim with NUL refused');
is($h->{'x-jwt-result'}, 'bad_payload', 'claim with NUL: bad_payload');

my $payload = $v->{payload} // '';
unlike($payload, qr/[ \n]/, '$jwt_payload is compact');
my $decoded = eval { JSON::PP->new->utf8->decode($payload) };
is_deeply($decoded, \%claims,
          '$jwt_payload holds the claims') or diag($payload);

# add_header and map on a static file.
($st, $h, $body) = $t->http_get('/file/ok', Authorization => "Bearer $tok");
is($st, 200, 'file with valid token');
is($h->{'x-sub'}, 'alice', 'add_header $jwt_claim_sub');
is($h->{'x-alg'}, 'HS256', 'add_header $jwt_header_alg');
is($h->{'x-admin'}, 'yes', 'map on a claim');
is($h->{'x-jwt-result'}, 'ok', 'add_header $jwt_result');

# A claim with CR LF cannot inject a header.
my $inject = jwt('HS256', $secret, {ctl => "x\r\nX-Injected: 1"},
                 {kid => 'k1'});
($st, $h) = $t->http_get('/file/ok', Authorization => "Bearer $inject");
is($st, 200, 'token with CR LF in a claim');
ok(!exists $h->{'x-injected'}, 'no header injected');
like($h->{'x-ctl'} // '', qr/^x\\u000[dD]\\u000[aA]X-Injected: 1$/,
     'CR LF escaped');

my $user = jwt('HS256', $secret, {role => 'user'}, {kid => 'k1'});
($st, $h) = $t->http_get('/file/ok', Authorization => "Bearer $user");
is($h->{'x-admin'}, 'no', 'map default for another role');

# Nothing from an unverified token reaches a variable.
my $forged = tamper_sig($tok);
($st, $h) = $t->http_get('/file/ok', Authorization => "Bearer $forged");
is($st, 401, 'forged token rejected');
is($h->{'x-jwt-result'}, 'bad_signature', 'its $jwt_result');
is($h->{'x-sub'} // '', '', 'no claim from a forged token');
is($h->{'x-payload'} // '', '', 'no payload from a forged token');
is($h->{'x-alg'} // '', '', 'no header value from a forged token');
is($h->{'x-admin'}, 'no', 'map sees an empty claim');

($st, $h) = $t->http_get('/file/ok');
is($h->{'x-jwt-result'}, 'missing', '$jwt_result missing');

# "if" reads a claim in the rewrite phase, before access.
($st) = $t->http_get('/admin/ok', Authorization => "Bearer $tok");
is($st, 200, 'if: admin passes');
($st) = $t->http_get('/admin/ok', Authorization => "Bearer $user");
is($st, 403, 'if: user refused');
($st) = $t->http_get('/admin/ok',
                     Authorization => 'Bearer '
                     . tamper_payload($tok, {role => 'admin',
                                             exp => time + 300}));
is($st, 403, 'if: forged admin claim not seen');

# set in the rewrite phase, then the access check on the same verdict.
($st, $h) = $t->http_get('/set/ok', Authorization => "Bearer $tok");
is($st, 200, 'set: valid token');
is($h->{'x-who'}, 'alice', 'set: claim copied in rewrite phase');
($st, $h) = $t->http_get('/set/ok', Authorization => "Bearer $forged");
is($st, 401, 'set: forged token still rejected');
is($h->{'x-who'} // '', '', 'set: nothing copied from a forged token');

# log_format.
$t->http_get('/log/ok', Authorization => "Bearer $tok");
$t->http_get('/log/ok', Authorization => "Bearer $forged");
$t->http_get('/log/ok');
my @log = split /\n/, $t->read_file('access.log');
is(scalar @log, 3, 'three access log lines');
is($log[0], 'ok sub=alice alg=HS256', 'access log: accepted');
like($log[1] // '', qr/^bad_signature sub=-? alg=-?$/, 'access log: forged');
like($log[2] // '', qr/^missing sub=-? alg=-?$/, 'access log: missing');

$t->stop;

done_testing;
