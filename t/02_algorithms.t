# Every algorithm end to end: a valid token passes, a tampered one fails
# with bad_signature; the default and explicit allowlists.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'algorithms-secret-' . ('s' x 46);    # 64 bytes

my $t = JwtTest->new;
my %kp = map { $_ => $t->keypair($_, $_) } qw(rsa p256 p384 p521 ed25519);
my $other_p256 = $t->keypair('other_p256', 'p256');
my $other_rsa = $t->keypair('other_rsa', 'rsa');

$t->write_file("html/$_/ok", "ok\n")
    for qw(hs rsa es256 es384 es512 ed all rs256 es);
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;

    location /hs/ {
        auth_jwt on;
        auth_jwt_key "$secret";
    }
    location /rsa/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
    }
    location /es256/ {
        auth_jwt on;
        auth_jwt_key file=keys/p256.pub;
    }
    location /es384/ {
        auth_jwt on;
        auth_jwt_key file=keys/p384.pub;
    }
    location /es512/ {
        auth_jwt on;
        auth_jwt_key file=keys/p521.pub;
    }
    location /ed/ {
        auth_jwt on;
        auth_jwt_key file=keys/ed25519.pub;
    }

    location /all/ {
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_key file=keys/p256.pub;
        auth_jwt_key file=keys/p384.pub;
        auth_jwt_key file=keys/p521.pub;
        auth_jwt_key file=keys/ed25519.pub;
    }

    location /rs256/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_alg RS256;
    }
    location /es/ {
        auth_jwt on;
        auth_jwt_key file=keys/p256.pub;
        auth_jwt_key file=keys/p384.pub;
        auth_jwt_alg ES256 ES384;
    }
}
EOF
$t->start;

my @cases = (
    [HS256 => $secret, 'hs'], [HS384 => $secret, 'hs'],
    [HS512 => $secret, 'hs'],
    [RS256 => $kp{rsa}, 'rsa'], [RS384 => $kp{rsa}, 'rsa'],
    [RS512 => $kp{rsa}, 'rsa'],
    [PS256 => $kp{rsa}, 'rsa'], [PS384 => $kp{rsa}, 'rsa'],
    [PS512 => $kp{rsa}, 'rsa'],
    [ES256 => $kp{p256}, 'es256'], [ES384 => $kp{p384}, 'es384'],
    [ES512 => $kp{p521}, 'es512'],
    [EdDSA => $kp{ed25519}, 'ed'],
);

for my $c (@cases) {
    my ($alg, $key, $loc) = @$c;
    my $tok = jwt($alg, $key, {sub => "user-$alg"});

    $t->auth_is("/$loc/ok", $tok, 200, 'ok', "$alg valid");
    $t->auth_is("/all/ok", $tok, 200, 'ok', "$alg valid, union of keys");
    $t->auth_is("/$loc/ok", tamper_sig($tok), 401, 'bad_signature',
                "$alg signature bit flipped");
    $t->auth_is("/$loc/ok", tamper_payload($tok, {sub => 'mallory',
                                                  exp => time + 300}),
                401, 'bad_signature', "$alg payload replaced");

    # Signature one byte short and one byte long (still canonical b64url).
    my ($h, $p, $s) = split /\./, $tok;
    my $sig = unb64u($s);
    $t->auth_is("/$loc/ok", "$h.$p." . b64u(substr $sig, 0, -1), 401,
                'bad_signature', "$alg signature truncated by a byte");
    $t->auth_is("/$loc/ok", "$h.$p." . b64u("$sig\0"), 401,
                'bad_signature', "$alg signature with an extra byte");
}

# A key of the right type but not the signer's.
$t->auth_is('/es256/ok', jwt('ES256', $other_p256), 401, 'bad_signature',
            'ES256 from another P-256 key');
$t->auth_is('/rsa/ok', jwt('RS256', $other_rsa), 401, 'bad_signature',
            'RS256 from another RSA key');
$t->auth_is('/hs/ok', jwt('HS256', 'z' x 64), 401, 'bad_signature',
            'HS256 with another secret');

# The default allowlist is what the keys can verify: a curve or family
# mismatch is refused before any signature check.
$t->auth_is('/es384/ok', jwt('ES256', $kp{p256}), 401, 'alg_not_allowed',
            'ES256 at a P-384 location');
$t->auth_is('/es256/ok', jwt('ES512', $kp{p521}), 401, 'alg_not_allowed',
            'ES512 at a P-256 location');
$t->auth_is('/hs/ok', jwt('RS256', $kp{rsa}), 401, 'alg_not_allowed',
            'RS256 at an HMAC location');
$t->auth_is('/rsa/ok', jwt('EdDSA', $kp{ed25519}), 401, 'alg_not_allowed',
            'EdDSA at an RSA location');
$t->auth_is('/ed/ok', jwt('ES256', $kp{p256}), 401, 'alg_not_allowed',
            'ES256 at an Ed25519 location');

# An explicit allowlist.
$t->auth_is('/rs256/ok', jwt('RS256', $kp{rsa}), 200, 'ok',
            'allowlist RS256: RS256');
for my $alg (qw(RS384 RS512 PS256)) {
    $t->auth_is('/rs256/ok', jwt($alg, $kp{rsa}), 401, 'alg_not_allowed',
                "allowlist RS256: $alg");
}
$t->auth_is('/es/ok', jwt('ES256', $kp{p256}), 200, 'ok',
            'allowlist ES256 ES384: ES256');
$t->auth_is('/es/ok', jwt('ES384', $kp{p384}), 200, 'ok',
            'allowlist ES256 ES384: ES384');

# PSS salt length must equal the digest length.
for my $salt (0, 20, 64) {
    my $data = b64u(json({alg => 'PS256', typ => 'JWT'})) . '.'
             . b64u(json({sub => 'alice', exp => time + 300}));
    my $sig = $kp{rsa}{key}->sign_message($data, 'SHA256', 'pss', $salt);
    $t->auth_is('/rsa/ok', "$data." . b64u($sig), 401, 'bad_signature',
                "PS256 with salt length $salt");
}

# ECDSA takes raw R||S of the exact length, not DER.
{
    my $data = b64u(json({alg => 'ES256'})) . '.'
             . b64u(json({sub => 'alice', exp => time + 300}));
    my $der = $kp{p256}{key}->sign_message($data, 'SHA256');
    $t->auth_is('/es256/ok', "$data." . b64u($der), 401, 'bad_signature',
                'ES256 with a DER signature');
}

$t->stop;

done_testing;
