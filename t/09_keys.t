# Every key format: inline secrets in each encoding (with their length
# rules), PEM public keys, PKCS#1, certificates, JWK, JWKS with kid
# selection and alg binding, and the union of repeated directives.

use strict;
use warnings;

use Test::More;
use Crypt::PRNG qw(random_bytes);
use MIME::Base64 qw(encode_base64);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;

# Inline secrets.
my $utf8 = 'utf8-secret-' . ('u' x 52);
my $hex_bytes = random_bytes(64);
my $hex = unpack 'H*', $hex_bytes;
my ($b64_bytes, $b64);
do {
    $b64_bytes = random_bytes(64);
    $b64 = encode_base64($b64_bytes, '');
} until $b64 =~ m{[+/]};
my $b64u_bytes = random_bytes(64);
my $b64u = b64u($b64u_bytes);
my $s32 = 'x' x 32;
my $s48 = 'y' x 48;

# Key pairs and files.
my %kp = map { $_ => $t->keypair($_, $_ =~ /^rsa/ ? 'rsa' : $_) }
    qw(rsa rsa2 rsa3 rsa4 p256 p384 ed25519);
JwtTest::_run('openssl', 'rsa', '-pubin', '-in', $t->dir . '/keys/rsa.pub',
              '-RSAPublicKey_out', '-out', $t->dir . '/keys/rsa.pkcs1');
like($t->read_file('keys/rsa.pkcs1'), qr/BEGIN RSA PUBLIC KEY/,
     'PKCS#1 file written');
$t->cert('rsa');
$t->cert('p384');

my $oct = random_bytes(64);
$t->write_file('keys/rsa.jwk', json($kp{rsa}{jwk}));
$t->write_file('keys/p256.jwk', json($kp{p256}{jwk}));
$t->write_file('keys/ed25519.jwk', json($kp{ed25519}{jwk}));
$t->write_file('keys/oct.jwk', json({kty => 'oct', k => b64u($oct)}));
$t->write_file('keys/set.jwks', json({keys => [
    {%{ $kp{rsa}{jwk} }, kid => 'r1', use => 'sig'},
    {%{ $kp{rsa2}{jwk} }, kid => 'r2'},
    {%{ $kp{rsa3}{jwk} }, kid => 'bound', alg => 'RS256'},
    {%{ $kp{rsa4}{jwk} }, kid => 'enc', use => 'enc'},
    {%{ $kp{p256}{jwk} }, kid => 'e1'},
    {%{ $kp{ed25519}{jwk} }, kid => 'd1'},
    {kty => 'oct', k => b64u($oct), kid => 'h1'},
]}));
$t->write_file('keys/two.pem', $kp{rsa}{pub_pem} . $kp{p256}{pub_pem});

my @dirs = qw(utf8 utf8x hex b64 b64u s32 s48 pem pkcs1 cert_rsa cert_ec
              jwk_rsa jwk_ec jwk_okp jwk_oct jwks two union);
$t->write_file("html/$_/ok", "ok\n") for @dirs;

$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;

    location /utf8/ { auth_jwt on; auth_jwt_key "$utf8"; }
    location /utf8x/ { auth_jwt on; auth_jwt_key "$utf8" utf8; }
    location /hex/ { auth_jwt on; auth_jwt_key "$hex" hex; }
    location /b64/ { auth_jwt on; auth_jwt_key "$b64" base64; }
    location /b64u/ { auth_jwt on; auth_jwt_key "$b64u" base64url; }
    location /s32/ { auth_jwt on; auth_jwt_key "$s32"; }
    location /s48/ { auth_jwt on; auth_jwt_key "$s48"; }

    location /pem/ { auth_jwt on; auth_jwt_key_file keys/rsa.pub; }
    location /pkcs1/ { auth_jwt on; auth_jwt_key file=keys/rsa.pkcs1; }
    location /cert_rsa/ { auth_jwt on; auth_jwt_key file=keys/rsa.crt; }
    location /cert_ec/ { auth_jwt on; auth_jwt_key_file keys/p384.crt; }

    location /jwk_rsa/ { auth_jwt on; auth_jwt_key file=keys/rsa.jwk; }
    location /jwk_ec/ { auth_jwt on; auth_jwt_key file=keys/p256.jwk; }
    location /jwk_okp/ { auth_jwt on; auth_jwt_key file=keys/ed25519.jwk; }
    location /jwk_oct/ { auth_jwt on; auth_jwt_key file=keys/oct.jwk; }
    location /jwks/ { auth_jwt on; auth_jwt_key file=keys/set.jwks; }
    location /two/ { auth_jwt on; auth_jwt_key file=keys/two.pem; }

    location /union/ {
        auth_jwt on;
        auth_jwt_key "$utf8";
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_key_file keys/p384.crt;
        auth_jwt_key file=keys/ed25519.jwk;
    }
}
EOF
$t->start;

sub ok_at { $t->auth_is("/$_[0]/ok", $_[1], 200, 'ok', $_[2]) }
sub no_at { $t->auth_is("/$_[0]/ok", $_[1], 401, $_[2], $_[3]) }

# Secrets in each encoding; the decoded bytes are the key.
ok_at('utf8', jwt('HS512', $utf8), 'utf8 secret (default)');
ok_at('utf8x', jwt('HS512', $utf8), 'utf8 secret (explicit)');
ok_at('hex', jwt('HS512', $hex_bytes), 'hex secret');
no_at('hex', jwt('HS512', $hex), 'bad_signature', 'hex text is not the key');
ok_at('b64', jwt('HS512', $b64_bytes), 'base64 secret with padding, + and /');
no_at('b64', jwt('HS512', $b64), 'bad_signature',
      'base64 text is not the key');
ok_at('b64u', jwt('HS512', $b64u_bytes), 'base64url secret');

# A secret verifies only the HS algorithms its length allows.
ok_at('s32', jwt('HS256', $s32), '32-byte secret: HS256');
no_at('s32', jwt('HS384', $s32), 'alg_not_allowed', '32-byte secret: HS384');
no_at('s32', jwt('HS512', $s32), 'alg_not_allowed', '32-byte secret: HS512');
ok_at('s48', jwt('HS256', $s48), '48-byte secret: HS256');
ok_at('s48', jwt('HS384', $s48), '48-byte secret: HS384');
no_at('s48', jwt('HS512', $s48), 'alg_not_allowed', '48-byte secret: HS512');
ok_at('utf8', jwt('HS256', $utf8), '64-byte secret: HS256');

# PEM, PKCS#1, certificates.
ok_at('pem', jwt('RS256', $kp{rsa}), 'PEM public key: RS256');
ok_at('pem', jwt('PS512', $kp{rsa}), 'PEM RSA key serves PS512');
ok_at('pkcs1', jwt('RS384', $kp{rsa}), 'PKCS#1 RSA PUBLIC KEY');
ok_at('cert_rsa', jwt('PS256', $kp{rsa}), 'RSA certificate');
ok_at('cert_ec', jwt('ES384', $kp{p384}), 'EC P-384 certificate');
no_at('cert_rsa', jwt('RS256', $kp{rsa2}), 'bad_signature',
      'certificate of another key');

# Single JWKs.
ok_at('jwk_rsa', jwt('RS256', $kp{rsa}), 'RSA JWK');
ok_at('jwk_ec', jwt('ES256', $kp{p256}), 'EC JWK');
ok_at('jwk_okp', jwt('EdDSA', $kp{ed25519}), 'OKP Ed25519 JWK');
ok_at('jwk_oct', jwt('HS512', $oct), 'oct JWK');
no_at('jwk_oct', jwt('HS512', b64u($oct)), 'bad_signature',
      'oct JWK: "k" text is not the key');

# JWKS: kid selects, no kid tries every key that fits.
ok_at('jwks', jwt('RS256', $kp{rsa}, undef, {kid => 'r1'}), 'kid r1');
ok_at('jwks', jwt('RS256', $kp{rsa2}, undef, {kid => 'r2'}), 'kid r2');
no_at('jwks', jwt('RS256', $kp{rsa2}, undef, {kid => 'r1'}), 'bad_signature',
      'kid r1, signed by r2');
no_at('jwks', jwt('RS256', $kp{rsa}, undef, {kid => 'nope'}), 'unknown_kid',
      'unknown kid');
ok_at('jwks', jwt('RS256', $kp{rsa2}), 'no kid: r2 found among RSA keys');
ok_at('jwks', jwt('PS256', $kp{rsa}), 'no kid: PS256 by r1');
ok_at('jwks', jwt('ES256', $kp{p256}, undef, {kid => 'e1'}), 'kid e1');
ok_at('jwks', jwt('EdDSA', $kp{ed25519}, undef, {kid => 'd1'}), 'kid d1');
ok_at('jwks', jwt('HS256', $oct, undef, {kid => 'h1'}), 'kid h1 (oct)');
no_at('jwks', jwt('ES256', $kp{p256}, undef, {kid => 'r1'}), 'no_key',
      'kid of an RSA key on an ES256 token');

# A JWK's alg binds it.
ok_at('jwks', jwt('RS256', $kp{rsa3}, undef, {kid => 'bound'}),
      'bound key, its alg');
no_at('jwks', jwt('PS256', $kp{rsa3}, undef, {kid => 'bound'}), 'no_key',
      'bound key, another alg');
no_at('jwks', jwt('PS256', $kp{rsa3}), 'bad_signature',
      'bound key not tried for another alg without kid');

# "use": "enc" keys never verify.
$t->auth_is('/jwks/ok', jwt('RS256', $kp{rsa4}, undef, {kid => 'enc'}),
            401, undef, 'encryption key not used');
no_at('jwks', jwt('RS256', $kp{rsa4}), 'bad_signature',
      'encryption key not tried without kid');

# Several PEM blocks in one file.
ok_at('two', jwt('RS256', $kp{rsa}), 'two-block PEM: RSA');
ok_at('two', jwt('ES256', $kp{p256}), 'two-block PEM: EC');

# Repeated directives add up.
ok_at('union', jwt('HS384', $utf8), 'union: secret');
ok_at('union', jwt('RS512', $kp{rsa}), 'union: PEM');
ok_at('union', jwt('ES384', $kp{p384}), 'union: certificate');
ok_at('union', jwt('EdDSA', $kp{ed25519}), 'union: JWK');
no_at('union', jwt('ES256', $kp{p256}), 'alg_not_allowed',
      'union: no P-256 key');

$t->stop;

done_testing;
