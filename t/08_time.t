# exp, nbf and iat: auth_jwt_require_exp, auth_jwt_leeway, and the order
# of checks (a forged token is never reported as expired).

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'time-secret-' . ('t' x 52);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n") for qw(strict leeway noexp);
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
    auth_jwt on;
    auth_jwt_key "$secret";

    location /strict/ { }
    location /leeway/ { auth_jwt_leeway 30s; }
    location /noexp/ { auth_jwt_require_exp off; }
}
EOF
$t->start;

my $now = time;
my $tok = sub { jwt('HS256', $secret, {@_}) };
my $raw = sub { sign_raw('HS256', $secret, '{"alg":"HS256"}', $_[0]) };

# Defaults: exp required, no leeway.
$t->auth_is('/strict/ok', $tok->(exp => $now + 60), 200, 'ok', 'exp ahead');
$t->auth_is('/strict/ok', $tok->(exp => $now - 10), 401, 'expired',
            'exp 10s ago');
$t->auth_is('/strict/ok', $tok->(exp => 0), 401, 'expired', 'exp 0');
$t->auth_is('/strict/ok', $tok->(exp => -1), 401, 'expired', 'negative exp');
$t->auth_is('/strict/ok', $tok->(exp => undef), 401, 'missing_exp',
            'no exp');
$t->auth_is('/strict/ok', $tok->(exp => $now + 60.5), 200, 'ok',
            'fractional exp (NumericDate)');
$t->auth_is('/strict/ok', $tok->(exp => 4102444800), 200, 'ok',
            'exp in 2100');
$t->auth_is('/strict/ok', $tok->(nbf => $now + 10), 401, 'not_yet_valid',
            'nbf 10s ahead');
$t->auth_is('/strict/ok', $tok->(nbf => $now - 10), 200, 'ok', 'nbf passed');
$t->auth_is('/strict/ok', $tok->(iat => $now - 3600), 200, 'ok',
            'iat an hour ago');

# Time claims must be numbers.
my $exp = $now + 60;
$t->auth_is('/strict/ok', $raw->(qq({"exp":"$exp"})), 401, 'bad_time_claim',
            'exp as a string');
$t->auth_is('/strict/ok', $raw->(qq({"exp":$exp,"nbf":"0"})), 401,
            'bad_time_claim', 'nbf as a string');
$t->auth_is('/strict/ok', $raw->(qq({"exp":$exp,"iat":"0"})), 401,
            'bad_time_claim', 'iat as a string');
$t->auth_is('/strict/ok', $raw->(qq({"exp":true})), 401, 'bad_time_claim',
            'exp as a boolean');
$t->auth_is('/strict/ok', $raw->(qq({"exp":{"t":$exp}})), 401,
            'bad_time_claim', 'exp as an object');

# Leeway 30s on both sides.
$t->auth_is('/leeway/ok', $tok->(exp => $now - 10), 200, 'ok',
            'leeway: exp 10s ago');
$t->auth_is('/leeway/ok', $tok->(exp => $now - 60), 401, 'expired',
            'leeway: exp 60s ago');
$t->auth_is('/leeway/ok', $tok->(nbf => $now + 10), 200, 'ok',
            'leeway: nbf 10s ahead');
$t->auth_is('/leeway/ok', $tok->(nbf => $now + 60), 401, 'not_yet_valid',
            'leeway: nbf 60s ahead');
$t->auth_is('/leeway/ok', $tok->(exp => undef), 401, 'missing_exp',
            'leeway: exp still required');

# require_exp off: exp optional, but still enforced when present.
$t->auth_is('/noexp/ok', $tok->(exp => undef), 200, 'ok', 'no exp allowed');
$t->auth_is('/noexp/ok', $tok->(exp => $now - 10), 401, 'expired',
            'exp still checked');
$t->auth_is('/noexp/ok', $tok->(exp => undef, nbf => $now + 10), 401,
            'not_yet_valid', 'nbf still checked');
$t->auth_is('/noexp/ok', $raw->('{"exp":"soon"}'), 401, 'bad_time_claim',
            'exp type still checked');

# Signature before time: a forged expired token is a bad signature.
$t->auth_is('/strict/ok', tamper_sig($tok->(exp => $now - 10)), 401,
            'bad_signature', 'forged and expired');
$t->auth_is('/strict/ok', tamper_sig($tok->(exp => undef)), 401,
            'bad_signature', 'forged and without exp');
$t->auth_is('/strict/ok', tamper_sig($raw->('{"exp":"x"}')), 401,
            'bad_signature', 'forged with a bad exp');

$t->stop;

done_testing;
