# Known attacks on JWT verifiers: each gets a 401 with a precise
# $jwt_result, and nginx keeps serving valid tokens (the harness also fails
# on any crash or alert in error.log).

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'attacks-secret-' . ('k' x 49);

my $t = JwtTest->new;
my $rsa = $t->keypair('rsa', 'rsa');
my $ec = $t->keypair('p256', 'p256');
my $evil = $t->keypair('evil', 'rsa');
$t->write_file('keys/jwks.json',
               json({keys => [{%{ $rsa->{jwk} }, kid => 'rsa1'}]}));
$t->write_file("html/$_/ok", "ok\n") for qw(rsa hs ec jwks big mixed);

my $locations = <<"EOF";
    location /rsa/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
    }
    location /hs/ {
        auth_jwt on;
        auth_jwt_key "$secret";
    }
    location /ec/ {
        auth_jwt on;
        auth_jwt_key file=keys/p256.pub;
    }
    location /jwks/ {
        auth_jwt on;
        auth_jwt_key file=keys/jwks.json;
    }
    location /mixed/ {
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_key file=keys/rsa.pub;
    }
    location /big/ {
        auth_jwt on;
        auth_jwt_key "$secret";
        auth_jwt_max_size 1m;
    }
EOF
$t->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
    large_client_header_buffers 4 2m;
$locations
}
server {
    listen 127.0.0.1:%%PORT2%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
$locations
}
EOF
$t->start;

my $exp = time + 300;
my $claims = json({sub => 'alice', exp => $exp});

sub still_serving
{
    my ($what) = @_;
    $t->auth_is('/rsa/ok', jwt('RS256', $rsa), 200, 'ok',
                "after $what: RS256 still accepted");
    $t->auth_is('/hs/ok', jwt('HS256', $secret), 200, 'ok',
                "after $what: HS256 still accepted");
}

sub attack
{
    my ($loc, $token, $result, $name) = @_;
    $t->auth_is("/$loc/ok", $token, 401, $result, $name);
}

# alg "none" in any spelling, unsigned.
for my $none (qw(none None NONE nOnE)) {
    my $tok = b64u(json({alg => $none, typ => 'JWT'})) . '.' . b64u($claims)
            . '.';
    attack($_, $tok, 'alg_not_allowed', "alg $none at /$_/")
        for qw(hs rsa jwks);
}
still_serving('alg none');

# HS256 with the RSA public key as the HMAC secret (key confusion).
for my $variant (['PEM', $rsa->{pub_pem}],
                 ['PEM without newline', $rsa->{pub_pem} =~ s/\n\z//r],
                 ['DER', $rsa->{key}->export_key_der('public')]) {
    my ($what, $mac_key) = @$variant;
    my $tok = sign_raw('HS256', $mac_key, json({alg => 'HS256'}), $claims);
    attack('rsa', $tok, 'alg_not_allowed', "HS256 keyed with RSA $what");
    attack('jwks', $tok, 'alg_not_allowed',
           "HS256 keyed with RSA $what at a JWKS location");
    attack('mixed', $tok, 'bad_signature',
           "HS256 keyed with RSA $what where HMAC is allowed");
}
still_serving('key confusion');

# ECDSA with r = s = 0 (CVE-2022-21449), and r = s = all ones.
{
    my $data = b64u(json({alg => 'ES256'})) . '.' . b64u($claims);
    attack('ec', "$data." . b64u("\0" x 64), 'bad_signature', 'ES256 r=s=0');
    attack('ec', "$data." . b64u("\xff" x 64), 'bad_signature',
           'ES256 r=s=0xff..');
    attack('ec', "$data." . b64u("\0" x 32 . "\x01" . "\0" x 31),
           'bad_signature', 'ES256 r=0');
}
still_serving('ECDSA zero signature');

# Signature stripped, truncated, extended; wrong number of parts.
{
    my $tok = jwt('RS256', $rsa);
    my ($h, $p, $s) = split /\./, $tok;
    attack('rsa', "$h.$p.", 'bad_signature', 'signature stripped');
    attack('rsa', "$h.$p", 'malformed', 'two parts');
    attack('rsa', "$h.$p." . b64u(substr unb64u($s), 0, -3), 'bad_signature',
           'signature truncated');
    attack('rsa', "$tok" . 'AAAA', 'bad_signature', 'signature extended');
    attack('rsa', "$tok.$s", 'malformed', 'four parts');
    # Empty parts: the exact code is the module's choice.
    $t->auth_is('/rsa/ok', "$h..$s", 401, undef, 'empty payload');
    $t->auth_is('/rsa/ok', ".$p.$s", 401, undef, 'empty header');
    $t->auth_is('/rsa/ok', '..', 401, undef, 'only dots');
    attack('rsa', '.' x 5000, 'malformed', 'many dots');
    my $hs = jwt('HS256', $secret);
    my ($hh, $hp) = split /\./, $hs;
    attack('hs', "$hh.$hp.", 'bad_signature', 'HMAC signature stripped');
}
still_serving('signature stripping');

# Keys named by the token itself are never fetched nor trusted.
{
    my $port2 = $t->port2;
    for my $hdr ({jwk => $evil->{jwk}},
                 {jku => "http://127.0.0.1:$port2/evil.json"},
                 {x5u => "http://127.0.0.1:$port2/evil.pem"},
                 {x5c => ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA']}) {
        my ($name) = keys %$hdr;
        attack('rsa', jwt('RS256', $evil, undef, $hdr), 'bad_signature',
               "header $name with attacker key");
    }
}
still_serving('embedded keys');

# kid is only ever compared, never used as a path or truncated.
for my $kid ('../../../../etc/passwd', '/dev/null', 'keys/rsa.pub',
             'rsa1 ', 'RSA1') {
    (my $shown = $kid) =~ s/\0/\\0/g;
    # A key configured without a kid is trusted for any kid: the kid is
    # not looked up anywhere, and only the key's own signature passes.
    $t->auth_is('/rsa/ok', jwt('RS256', $rsa, undef, {kid => $kid}), 200,
                'ok', "kid \"$shown\" at a PEM location, right key");
    attack('rsa', jwt('RS256', $evil, undef, {kid => $kid}), 'bad_signature',
           "kid \"$shown\" at a PEM location, attacker key");
    attack('jwks', jwt('RS256', $rsa, undef, {kid => $kid}), 'unknown_kid',
           "kid \"$shown\" at a JWKS location");
}
# A NUL must not cut the kid short; refusing the header is fine too.
for my $loc (qw(rsa jwks)) {
    $t->auth_is("/$loc/ok", jwt('RS256', $rsa, undef, {kid => "rsa1\0x"}),
                401, undef, "kid with NUL at /$loc/");
}
$t->auth_is('/jwks/ok', jwt('RS256', $rsa, undef, {kid => 'rsa1'}), 200,
            'ok', 'kid rsa1 at a JWKS location');
attack('jwks', sign_raw('RS256', $rsa, '{"alg":"RS256","kid":1}', $claims),
       'bad_header', 'kid as a number');
still_serving('kid tricks');

# Non-canonical base64url.
{
    my $tok = jwt('HS256', $secret, {jti => 'b64'});
    my ($h, $p, $s) = split /\./, $tok;

    attack('hs', "$h.$p.$s=", 'malformed', 'signature with "=" padding');
    my $hpad = b64u(json({alg => 'HS256', x => 'y'}));   # 23 bytes: pads
    my $pad_tok = sign_raw('HS256', $secret, json({alg => 'HS256', x => 'y'}),
                           $claims);
    my (undef, $pp, $ps) = split /\./, $pad_tok;
    attack('hs', "$hpad=.$pp.$ps", 'malformed', 'header with "=" padding');

    # The same bytes in standard base64 ('+', '/').
    my $found;
    for my $i (1 .. 500) {
        my $cand = jwt('HS256', $secret, {jti => "std$i"});
        my ($ch, $cp, $cs) = split /\./, $cand;
        next unless $cs =~ /[-_]/;
        (my $std = $cs) =~ tr{-_}{+/};
        attack('hs', "$ch.$cp.$std", 'malformed',
               'signature in standard base64');
        $found = 1;
        last;
    }
    ok($found, 'found a signature with "-" or "_"');

    # Non-zero unused trailing bits: HS256 signature is 32 bytes, 43 chars,
    # the last char carries 2 unused bits.
    my @alpha = ('A' .. 'Z', 'a' .. 'z', '0' .. '9', '-', '_');
    my %val = map { $alpha[$_] => $_ } 0 .. 63;
    my $last = substr $s, -1;
    my $noncanon = $alpha[$val{$last} | 1];
    attack('hs', "$h.$p." . substr($s, 0, -1) . $noncanon, 'malformed',
           'signature with non-zero trailing bits');
    is(unb64u(substr($s, 0, -1) . $noncanon), unb64u($s),
       'a lenient decoder would accept those bits');

    attack('hs', "$h.$p.$s\x01", 'malformed', 'control byte in signature');
    attack('hs', "$h.$p.!$s", 'malformed', 'bad character in signature');
}
still_serving('non-canonical base64url');

# Huge tokens: refused by size before any parsing.
{
    my $big = b64u(json({alg => 'HS256'})) . '.' . ('A' x (1024 * 1024))
            . '.' . ('A' x 43);
    my ($st, $h) = $t->http_get('/hs/ok', Authorization => "Bearer $big");
    is($st, 401, '1 MB token: 401');
    is($h->{'x-jwt-result'}, 'too_large', '1 MB token: too_large');

    my $over = jwt('HS256', $secret, {pad => 'x' x 9000});
    attack('hs', $over, 'too_large', '9 kB token over the 8k default');

    # Default header buffers: nginx may refuse it itself; both are fine.
    ($st) = $t->http("GET /hs/ok HTTP/1.1\r\nHost: localhost\r\n"
                     . "Connection: close\r\nAuthorization: Bearer $big"
                     . "\r\n\r\n", port => $t->port2);
    ok(!defined $st || $st == 400 || $st == 401,
       '1 MB token with default buffers: 400 or 401 or closed')
        or diag("status $st");
}
still_serving('huge tokens');

# Deeply nested JSON, validly signed.
{
    my $deep = '[' x 10000 . ']' x 10000;
    my $deep_obj = '{"a":' x 10000 . '1' . '}' x 10000;
    attack('big', sign_raw('HS256', $secret, qq({"alg":"HS256","x":$deep}),
                           $claims),
           'bad_header', 'header nested 10000 deep');
    attack('big', sign_raw('HS256', $secret, qq({"alg":"HS256","x":$deep_obj}),
                           $claims),
           'bad_header', 'header objects nested 10000 deep');
    attack('big', sign_raw('HS256', $secret, '{"alg":"HS256"}',
                           qq({"sub":"a","exp":$exp,"x":$deep})),
           'bad_payload', 'payload nested 10000 deep');
    attack('big', sign_raw('HS256', $secret, '{"alg":"HS256"}',
                           qq({"sub":"a","exp":$exp,"x":$deep_obj})),
           'bad_payload', 'payload objects nested 10000 deep');
    attack('big', sign_raw('HS256', $secret, '{"alg":"HS256"}', $deep),
           'bad_payload', 'payload is a 10000-deep array');
}
still_serving('deep nesting');

# Malformed JSON and duplicates, validly signed.
{
    my $hs = sub { sign_raw('HS256', $secret, @_) };
    my $hdr = '{"alg":"HS256"}';
    attack('hs', $hs->($hdr, qq({"sub":"alice","sub":"admin","exp":$exp})),
           'bad_payload', 'duplicate claim');
    attack('hs', $hs->($hdr, qq({"sub":"a","exp":$exp,"exp":9999999999})),
           'bad_payload', 'duplicate exp');
    attack('hs', $hs->('{"alg":"HS256","alg":"HS256"}', $claims),
           'bad_header', 'duplicate alg');
    attack('hs', $hs->('{"alg":"none","alg":"HS256"}', $claims),
           'bad_header', 'duplicate alg, none first');
    attack('hs', $hs->($hdr, '[1,2]'), 'bad_payload', 'payload is an array');
    attack('hs', $hs->($hdr, '"alice"'), 'bad_payload', 'payload is a string');
    attack('hs', $hs->($hdr, 'not json'), 'bad_payload', 'payload not JSON');
    attack('hs', $hs->($hdr, qq({"sub":"a\xff","exp":$exp})), 'bad_payload',
           'payload with invalid UTF-8');
    attack('hs', $hs->($hdr, qq({"exp":$exp}trailing)), 'bad_payload',
           'payload with trailing bytes');
    attack('hs', $hs->('not json', $claims), 'bad_header', 'header not JSON');
    attack('hs', $hs->('[]', $claims), 'bad_header', 'header is an array');
    attack('hs', $hs->('{"typ":"JWT"}', $claims), 'bad_header',
           'header without alg');
    attack('hs', $hs->('{"alg":"HS256"}x', $claims), 'bad_header',
           'header with trailing bytes');
    $t->auth_is('/hs/ok', $hs->('{"alg":256}', $claims), 401,
                undef, 'alg as a number');
    attack('hs', $hs->($hdr, qq({"sub":"a","exp":"$exp"})), 'bad_time_claim',
           'exp as a string');
    attack('hs', $hs->($hdr, qq({"sub":"a","exp":null})), 'bad_time_claim',
           'exp as null');
    attack('hs', $hs->($hdr, qq({"sub":"a","exp":[$exp]})), 'bad_time_claim',
           'exp as an array');
}
still_serving('malformed JSON');

# RFC 7515 4.1.11: unknown critical extensions are refused.
attack('hs', jwt('HS256', $secret, undef, {crit => ['exp'], exp => $exp}),
       'unsupported_crit', 'crit ["exp"]');
attack('hs', jwt('HS256', $secret, undef, {crit => ['b64'], b64 => \0}),
       'unsupported_crit', 'crit ["b64"]');
$t->auth_is('/hs/ok', jwt('HS256', $secret, undef, {crit => []}), 401,
            undef, 'crit []');
$t->auth_is('/hs/ok', jwt('HS256', $secret, undef, {crit => 'exp'}), 401,
            undef, 'crit as a string');
still_serving('crit');

# A token valid for one location is no key for another.
attack('ec', jwt('RS256', $rsa), 'alg_not_allowed', 'RS256 at an EC location');
attack('rsa', jwt('RS256', $evil), 'bad_signature', 'RS256 from another key');
still_serving('everything');

$t->stop;

done_testing;
