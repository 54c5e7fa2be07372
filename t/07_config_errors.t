# Configurations nginx -t must refuse, each with a message that names the
# problem and the file:line.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;
$t->keypair('weak', 'rsa1024');
$t->keypair('rsa', 'rsa');
$t->keypair('p256', 'p256');
$t->write_file('keys/garbage.pem', "this is not a key\n");
$t->write_file('keys/bad.json', '{"keys": [ {"kty": "RSA", ');
$t->write_file('keys/weak.jwks', json({keys => [$t->keypair('weak')->{jwk}]}));
$t->write_file('keys/short.jwk', json({kty => 'oct', k => b64u('x' x 16)}));

my $conf = $t->conf_path;
my $secret = 'config-secret-' . ('c' x 50);

sub with_location
{
    my ($body) = @_;
    return <<"EOF";
server {
    listen 127.0.0.1:%%PORT%%;
    location / {
$body
    }
}
EOF
}

# $at: a regex for the offending line; undef accepts any line.
sub config_fails
{
    my ($name, $problem, $at, $body) = @_;
    $t->write_conf(with_location($body));
    my ($rc, $out) = $t->test_config;

    is($rc, 1, "$name: nginx -t fails") or diag($out);
    like($out, $problem, "$name: names the problem");
    my $line = $at ? $t->conf_line($at) : qr/\d+/;
    like($out, qr/\Q$conf\E:$line\b/, "$name: names the file and line");
    unlike($out, qr/\Q$secret\E/, "$name: secret not echoed");
}

sub config_ok
{
    my ($name, $body) = @_;
    $t->write_conf(with_location($body));
    my ($rc, $out) = $t->test_config;
    is($rc, 0, "$name: nginx -t passes") or diag($out);
}

config_ok('a valid configuration', <<"EOF");
        auth_jwt "api" token=\$cookie_session;
        auth_jwt_key "$secret";
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_key_file keys/p256.pub;
        auth_jwt_alg HS256 RS256 ES256;
        auth_jwt_require_exp off;
        auth_jwt_leeway 30s;
        auth_jwt_max_size 16k;
EOF

# Algorithms.
config_fails('unknown alg', qr/auth_jwt_alg|HS999/, qr/HS999/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_alg HS256 HS999;
EOF
for my $none (qw(none None)) {
    config_fails("alg $none", qr/auth_jwt_alg|$none/, qr/$none;/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_alg $none;
EOF
}
config_fails('lowercase alg', qr/auth_jwt_alg|hs256/, qr/hs256/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_alg hs256;
EOF

# Key files.
config_fails('missing key file', qr/missing\.pem/, qr/missing\.pem/, <<"EOF");
        auth_jwt on;
        auth_jwt_key file=keys/missing.pem;
EOF
config_fails('missing auth_jwt_key_file', qr/missing\.pem/, qr/missing\.pem/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key_file keys/missing.pem;
EOF
config_fails('key file is a directory', qr/auth_jwt_key|keys/,
             qr/key_file keys;/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key_file keys;
EOF
config_fails('garbage key file', qr/garbage\.pem/, qr/garbage/, <<"EOF");
        auth_jwt on;
        auth_jwt_key file=keys/garbage.pem;
EOF
config_fails('truncated JWKS', qr/bad\.json/, qr/bad\.json/, <<"EOF");
        auth_jwt on;
        auth_jwt_key file=keys/bad.json;
EOF

# Weak keys.
config_fails('RSA 1024 PEM', qr/auth_jwt_key|weak\.pub|1024/, qr/weak\.pub/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key file=keys/weak.pub;
EOF
config_fails('RSA 1024 JWK', qr/auth_jwt_key|weak\.jwks|1024/, qr/weak\.jwks/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key file=keys/weak.jwks;
EOF
my $short = 'x' x 31;
config_fails('31-byte secret', qr/auth_jwt_key|short|32/, qr/$short/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$short";
EOF
config_fails('31-byte hex secret', qr/auth_jwt_key|short|32/, qr/hex;/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key "${\ ('ab' x 31)}" hex;
EOF
config_fails('16-byte oct JWK', qr/auth_jwt_key|short\.jwk|32/, qr/short\.jwk/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key file=keys/short.jwk;
EOF

# Secret encodings.
config_fails('invalid hex', qr/auth_jwt_key|hex/, qr/hex;/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "${\ ('zz' x 40)}" hex;
EOF
config_fails('invalid base64', qr/auth_jwt_key|base64/, qr/base64;/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "${\ ('!' x 64)}" base64;
EOF
config_fails('unknown encoding', qr/auth_jwt_key|rot13/, qr/rot13/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret" rot13;
EOF

# No key at all.
config_fails('auth_jwt on without a key', qr/auth_jwt_key/, qr/auth_jwt on;/,
             <<"EOF");
        auth_jwt on;
EOF
config_fails('realm without a key', qr/auth_jwt_key/, qr/auth_jwt "api";/,
             <<"EOF");
        auth_jwt "api";
EOF

# Values and arity.
config_fails('require_exp value', qr/auth_jwt_require_exp/, qr/maybe/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_require_exp maybe;
EOF
config_fails('leeway value', qr/auth_jwt_leeway/, qr/leeway/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_leeway soon;
EOF
config_fails('max_size value', qr/auth_jwt_max_size/, qr/max_size/, <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_max_size big;
EOF
config_fails('duplicate max_size', qr/auth_jwt_max_size.*duplicate/,
             qr/max_size 4k/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_max_size 8k;
        auth_jwt_max_size 4k;
EOF
config_fails('auth_jwt without arguments', qr/auth_jwt/, qr/auth_jwt;/,
    <<"EOF");
        auth_jwt;
EOF
config_fails('auth_jwt_alg without arguments', qr/auth_jwt_alg/,
             qr/auth_jwt_alg;/,
    <<"EOF");
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_alg;
EOF
config_fails('unknown auth_jwt parameter', qr/auth_jwt|bogus/, qr/bogus/,
    <<"EOF");
        auth_jwt on bogus=1;
        auth_jwt_key "$secret";
EOF

$t->stop;

done_testing;
