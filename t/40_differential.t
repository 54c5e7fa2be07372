# Differential check: for a seeded corpus of tokens (valid ones, mutated
# bytes, swapped algorithms, truncations, wrong keys, odd but signed
# contents), the module's verdict agrees with an independent implementation,
# Crypt::JWT (CryptX / libtomcrypt, JSON::PP), on accept or reject.
#
# The module may be stricter than Crypt::JWT only in the known classes of
# %CLASS_CODE below, each with the $jwt_result it must give: most are in
# the README; two are deliberate but not written there (numbers out of
# Jansson's range, Ed25519 S >= L). It may never accept a token Crypt::JWT
# refuses. With "prove -v" (or JWT_DIFF_VERBOSE=1) it prints the counts.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

use Crypt::JWT qw(decode_jwt);
use Crypt::PK::ECC;
use Crypt::PK::Ed25519;
use Crypt::PK::RSA;
use JSON::PP ();
use Math::BigInt;
use Time::HiRes ();

JwtTest::require_module();

# JWT_DIFF_SEED and JWT_DIFF_COUNT explore other or larger corpora.
srand($ENV{JWT_DIFF_SEED} // 20261125);
my $started = Time::HiRes::time();

my $secret = 'differential-secret-' . ('d' x 44);    # 64 bytes: HS256/384/512
my $wrong_secret = 'w' x 64;

my $t = JwtTest->new;
my %kp = map { $_ => $t->keypair($_, $_) } qw(rsa p256 p384 ed25519);
my %wrong = (
    rsa   => $t->keypair('other_rsa', 'rsa'),
    p256  => $t->keypair('other_p256', 'p256'),
    p384  => $t->keypair('other_p384', 'p384'),
    ed    => $t->keypair('other_ed25519', 'ed25519'),
);

$t->write_file("html/$_/ok", "ok\n") for qw(hs rsa es256 es384 ed);
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
    location /ed/ {
        auth_jwt on;
        auth_jwt_key file=keys/ed25519.pub;
    }
}
EOF
$t->start;

# Per location: the algorithms the module allows by default (those its
# key can verify, README "auth_jwt_alg"), the verification key for
# Crypt::JWT (the public key, loaded from the same PEM nginx reads), and
# the signing keys.
my %LOC = (
    hs => {
        algs  => [qw(HS256 HS384 HS512)],
        cjkey => $secret,
        sign  => $secret,
        wrong => $wrong_secret,
    },
    rsa => {
        algs  => [qw(RS256 RS384 RS512 PS256 PS384 PS512)],
        cjkey => Crypt::PK::RSA->new(\$kp{rsa}{pub_pem}),
        sign  => $kp{rsa},
        wrong => $wrong{rsa},
    },
    es256 => {
        algs  => ['ES256'],
        cjkey => Crypt::PK::ECC->new(\$kp{p256}{pub_pem}),
        sign  => $kp{p256},
        wrong => $wrong{p256},
    },
    es384 => {
        algs  => ['ES384'],
        cjkey => Crypt::PK::ECC->new(\$kp{p384}{pub_pem}),
        sign  => $kp{p384},
        wrong => $wrong{p384},
    },
    ed => {
        algs  => ['EdDSA'],
        cjkey => Crypt::PK::Ed25519->new(\$kp{ed25519}{pub_pem}),
        sign  => $kp{ed25519},
        wrong => $wrong{ed},
    },
);
my @LOCS = sort keys %LOC;

# The algorithms tokens are signed with, and their home location.
my %HOME = (
    HS256 => 'hs', HS384 => 'hs', HS512 => 'hs',
    RS256 => 'rsa', RS512 => 'rsa', PS256 => 'rsa', PS384 => 'rsa',
    ES256 => 'es256', ES384 => 'es384', EdDSA => 'ed',
);
my @SIGN_ALGS = sort keys %HOME;

# alg values a swapped header may carry.
my @ANY_ALG = (qw(HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512
                  ES256 ES384 ES512 EdDSA none None hs256 ES256K Ed25519),
               'RS256 ', '');

my $J = JSON::PP->new->utf8->canonical;
my $now = time;
my $EXP = $now + 10 * 365 * 86400;    # far future: no boundary effects

my @B64 = ('A' .. 'Z', 'a' .. 'z', '0' .. '9', '-', '_');
# Not base64url; none is whitespace or a control byte, which HTTP would
# strip or refuse before the module sees the token.
my @NOT_B64 = (qw(+ / = ! * ~ % " ' ( ) ; : @ [ ] { } \ ^ | < > ? .),
               ',', '#', '`', "\x80", "\xc3\xa9", "\xff");

sub pick { $_[int rand @_] }

sub claims
{
    my %c = (sub => 'user-' . int(rand 100000), exp => $EXP + int rand 1000);
    $c{iat} = $now - int rand 3600 if rand() < 0.5;
    $c{nbf} = $now - 60 - int rand 3600 if rand() < 0.3;
    $c{roles} = [map { pick(qw(read write admin ops)) } 1 .. 1 + int rand 3]
        if rand() < 0.4;
    $c{org} = {id => int rand 1000, name => "org\x{e9}"} if rand() < 0.3;
    $c{n} = rand() < 0.5 ? int(rand 1e9) : rand() if rand() < 0.3;
    return \%c;
}

sub header_for
{
    my ($alg) = @_;
    my %h = (alg => $alg);
    $h{typ} = 'JWT' if rand() < 0.7;
    $h{kid} = 'k-' . int(rand 100) if rand() < 0.2;
    return \%h;
}

# A valid token for $alg: raw JSON bytes signed by the home key.
sub mint
{
    my ($alg) = @_;
    my $home = $HOME{$alg};
    return sign_raw($alg, $LOC{$home}{sign}, $J->encode(header_for($alg)),
                     $J->encode(claims()));
}

my @corpus;

sub add
{
    my ($loc, $tok, $kind, %opt) = @_;
    push @corpus, {loc => $loc, tok => $tok, kind => $kind, %opt};
}

# 1. Valid tokens, each algorithm.
my @valid;
for my $alg (@SIGN_ALGS) {
    for (1 .. 5) {
        my $tok = mint($alg);
        push @valid, [$alg, $tok];
        add($HOME{$alg}, $tok, 'valid', valid => 1);
    }
}

# 2. Signed, but with odd contents (signed with the right key, so only the
# contents decide). Entries with a class are ones where the module is
# documented to be stricter than Crypt::JWT.
my @structural = (
    # [name, header JSON or undef for the default, payload JSON, class]
    ['exp float', undef, qq({"sub":"a","exp":$EXP.5})],
    ['exp with exponent', undef, qq({"sub":"a","exp":4.1e9})],
    ['exp 1e308', undef, '{"sub":"a","exp":1e308}'],
    ['exp past', undef, '{"sub":"a","exp":' . ($now - 100) . '}'],
    ['exp zero', undef, '{"sub":"a","exp":0}'],
    ['exp negative', undef, '{"sub":"a","exp":-1}'],
    ['exp -1e308', undef, '{"sub":"a","exp":-1e308}'],
    ['exp missing', undef, '{"sub":"a"}'],
    ['exp null', undef, '{"sub":"a","exp":null}'],
    ['exp true', undef, '{"sub":"a","exp":true}'],
    ['exp false', undef, '{"sub":"a","exp":false}'],
    # Crypt::JWT compares exp with Perl's numeric "+": a string "1234"
    # numifies to 1234, an array or object reference to its address (far
    # in the future). RFC 7519 2: a NumericDate is a JSON number, and the
    # module refuses anything else (bad_time_claim).
    ['exp array', undef, qq({"sub":"a","exp":[$EXP]}),
     'time_claim_not_number'],
    ['exp object', undef, qq({"sub":"a","exp":{"v":$EXP}}),
     'time_claim_not_number'],
    ['exp numeric string', undef, qq({"sub":"a","exp":"$EXP"}),
     'time_claim_not_number'],
    ['exp junk string', undef, '{"sub":"a","exp":"soon"}'],
    ['nbf past', undef, qq({"sub":"a","exp":$EXP,"nbf":) . ($now - 100) . '}'],
    ['nbf future', undef, qq({"sub":"a","exp":$EXP,"nbf":) . ($now + 3600) . '}'],
    ['nbf numeric string', undef, qq({"sub":"a","exp":$EXP,"nbf":"0"}),
     'time_claim_not_number'],
    ['iat past', undef, qq({"sub":"a","exp":$EXP,"iat":) . ($now - 100) . '}'],
    ['iat future', undef, qq({"sub":"a","exp":$EXP,"iat":) . ($now + 3600) . '}'],
    ['iat numeric string', undef, qq({"sub":"a","exp":$EXP,"iat":"0"}),
     'time_claim_not_number'],
    # JSON::PP keeps the last of duplicate names; the module refuses them.
    ['duplicate sub', undef, qq({"sub":"a","sub":"admin","exp":$EXP}),
     'duplicate_member'],
    ['duplicate exp', undef, qq({"sub":"a","exp":1,"exp":$EXP}),
     'duplicate_member'],
    ['duplicate typ', '{"alg":"%ALG%","typ":"JWT","typ":"JWT"}', undef,
     'duplicate_member'],
    ['duplicate alg', '{"alg":"%ALG%","alg":"%ALG%"}', undef,
     'duplicate_member'],
    # RFC 7515 4.1.11: Crypt::JWT ignores crit; the module refuses it.
    ['crit exp', '{"alg":"%ALG%","crit":["exp"],"exp":1}', undef, 'crit'],
    ['crit empty', '{"alg":"%ALG%","crit":[]}', undef, 'crit'],
    ['kid string', '{"alg":"%ALG%","kid":"some-kid"}', undef],
    # Crypt::JWT with one key ignores kid; the module wants a string.
    ['kid number', '{"alg":"%ALG%","kid":7}', undef, 'kid_not_string'],
    ['kid null', '{"alg":"%ALG%","kid":null}', undef, 'kid_not_string'],
    ['typ other', '{"alg":"%ALG%","typ":"at+jwt"}', undef],
    ['cty and unknown members', '{"alg":"%ALG%","cty":"x","zz":[1,{"a":2}]}',
     undef],
    ['jku and x5u', '{"alg":"%ALG%","jku":"http://127.0.0.1:1/k",'
                    . '"x5u":"http://127.0.0.1:1/c"}', undef],
    ['nested 10', undef,
     qq({"sub":"a","exp":$EXP,"x":) . ('[' x 9) . (']' x 9) . '}'],
    # Nesting is limited to 32 levels in the module; JSON::PP allows 512.
    ['nested 40 payload', undef,
     qq({"sub":"a","exp":$EXP,"x":) . ('[' x 39) . (']' x 39) . '}',
     'nesting_limit'],
    ['nested 40 header', '{"alg":"%ALG%","x":' . ('{"a":' x 39) . '1'
                         . ('}' x 39) . '}', undef, 'nesting_limit'],
    # README "Variables": a \u0000 in any string is refused.
    ['NUL in claim', undef, qq({"sub":"a\\u0000b","exp":$EXP}),
     'nul_in_string'],
    ['NUL in header', '{"alg":"%ALG%","x":"\\u0000"}', undef,
     'nul_in_string'],
    ['escaped claim name', undef, qq({"sub":"a","\\u0065xp":$EXP})],
    ['escaped past exp name', undef,
     '{"sub":"a","\\u0065xp":' . ($now - 100) . '}'],
    ['escaped alg', '{"alg":"%ALGESC%"}', undef],
    ['UTF-8 claim', undef, qq({"sub":"h\xc3\xa9llo \xe2\x82\xac","exp":$EXP})],
    ['escaped non-BMP claim', undef, qq({"sub":"\\ud83d\\ude00","exp":$EXP})],
    ['whitespace everywhere', " {\n \"alg\" : \"%ALG%\" }\t",
     qq(\r\n{ "sub" : "a" ,\n "exp" : $EXP }\n)],
    ['payload array', undef, qq([{"exp":$EXP}])],
    ['payload null', undef, 'null'],
    ['payload string', undef, '"alice"'],
    ['payload number', undef, "$EXP"],
    ['payload empty object', undef, '{}'],
    ['payload trailing garbage', undef, qq({"sub":"a","exp":$EXP}x)],
    ['payload two objects', undef, qq({"sub":"a","exp":$EXP}{})],
    ['payload not JSON', undef, 'hello'],
    ['payload trailing comma', undef, qq({"sub":"a","exp":$EXP,})],
    ['header trailing garbage', '{"alg":"%ALG%"}]', undef],
    ['header array', '["%ALG%"]', undef],
    ['header without alg', '{"typ":"JWT"}', undef],
    ['alg lowercase', '{"alg":"%ALGLC%"}', undef],
    ['alg number', '{"alg":256}', undef],
    ['alg null', '{"alg":null}', undef],
    # Jansson refuses integers beyond 64 bits and reals beyond a double;
    # JSON::PP takes them (as big numbers or inf). RFC 8259 6 lets a
    # parser limit the range of numbers. The module's choice is deliberate
    # and unit-tested (t/unit/json_test.cpp NumbersOutOfRangeAreRefused,
    # t/unit/claims_test.cpp), though the README does not say it.
    ['big integer claim', undef,
     qq({"sub":"a","exp":$EXP,"id":12345678901234567890}),
     'number_out_of_range'],
    ['big integer exp', undef, '{"sub":"a","exp":99999999999999999999}',
     'number_out_of_range'],
    ['exp 1e400', undef, '{"sub":"a","exp":1e400}', 'number_out_of_range'],
    ['largest 64-bit exp', undef, '{"sub":"a","exp":9223372036854775807}'],
    ['invalid UTF-8 in claim', undef, qq({"sub":"a\xff\xfe","exp":$EXP})],
    ['lone surrogate in claim', undef, qq({"sub":"\\ud800","exp":$EXP})],
);

# Each structural case for two algorithms chosen at random.
for my $s (@structural) {
    my ($name, $hdr, $pl, $class) = @$s;
    my %seen;
    for my $alg (grep { !$seen{$_}++ } pick(@SIGN_ALGS), pick(@SIGN_ALGS)) {
        (my $esc = $alg) =~ s/(\d)/sprintf '\\u%04x', ord $1/ge;
        my $h = $hdr // '{"alg":"%ALG%","typ":"JWT"}';
        $h =~ s/%ALG%/$alg/g;
        $h =~ s/%ALGESC%/$esc/g;
        $h =~ s/%ALGLC%/lc $alg/ge;
        my $p = $pl // qq({"sub":"a","exp":$EXP});
        add($HOME{$alg}, sign_raw($alg, $LOC{$HOME{$alg}}{sign}, $h, $p),
            "signed: $name", class => $class);
    }
}

# 3. Signature-level cases aimed at the algorithms.

# ECDSA (r, n - s) is as valid as (r, s): neither side insists on low s.
my %ORDER = (
    ES256 => Math::BigInt->from_hex('FFFFFFFF00000000FFFFFFFFFFFFFFFF'
                                    . 'BCE6FAADA7179E84F3B9CAC2FC632551'),
    ES384 => Math::BigInt->from_hex('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF'
                                    . 'FFFFFFFFFFFFFFFFC7634D81F4372DDF'
                                    . '581A0DB248B0A77AECEC196ACCC52973'),
);
my $ED_L = Math::BigInt->new('7237005577332262213973186563042994240857116'
                             . '359379907606001950938285454250989');

sub int_bytes
{
    my ($n, $len) = @_;
    my $hex = substr $n->as_hex, 2;
    $hex = ('0' x (2 * $len - length $hex)) . $hex;
    return pack 'H*', $hex;
}

for my $alg (qw(ES256 ES384)) {
    my $half = $alg eq 'ES256' ? 32 : 48;
    for (1 .. 3) {
        my ($h, $p, $s) = split /\./, mint($alg);
        my $sig = unb64u($s);
        my $sv = Math::BigInt->from_hex(unpack 'H*', substr $sig, $half);
        my $hi = substr($sig, 0, $half) . int_bytes($ORDER{$alg} - $sv, $half);
        add($HOME{$alg}, "$h.$p." . b64u($hi), 'ecdsa (r, n-s)');
    }
    # DER instead of raw R || S: both refuse (Crypt::JWT wants RFC 7518).
    my $data = b64u($J->encode({alg => $alg})) . '.' . b64u($J->encode(claims()));
    my ($bits) = $alg =~ /(\d+)/;
    my $der = $LOC{$HOME{$alg}}{sign}{key}->sign_message($data, "SHA$bits");
    add($HOME{$alg}, "$data." . b64u($der), 'ecdsa DER signature');
}

# Ed25519 with S + L: libtomcrypt's verify does not check S < L.
for (1 .. 3) {
    my ($h, $p, $s) = split /\./, mint('EdDSA');
    my $sig = unb64u($s);
    my $sv = Math::BigInt->from_hex(unpack 'H*', scalar reverse substr $sig, 32);
    my $big = reverse int_bytes($sv + $ED_L, 32);
    add('ed', "$h.$p." . b64u(substr($sig, 0, 32) . $big),
        'ed25519 S + L');
}

# PSS with a salt other than the hash length: both refuse.
for my $salt (0, 20, 64) {
    my $data = b64u($J->encode({alg => 'PS256'})) . '.'
             . b64u($J->encode(claims()));
    my $sig = $kp{rsa}{key}->sign_message($data, 'SHA256', 'pss', $salt);
    add('rsa', "$data." . b64u($sig), "pss salt $salt");
}

# Key confusion: HS256 keyed with the RSA public key, at both locations.
{
    my $tok = sign_raw('HS256', $kp{rsa}{pub_pem}, '{"alg":"HS256"}',
                        $J->encode(claims()));
    add($_, $tok, 'hs256 keyed with the RSA public key') for qw(rsa hs);
}

# 4. Mutations of valid tokens, until the corpus has 600 tokens.

sub parts { my @p = split /\./, $_[0], -1; return @p }

sub canon_json_header
{
    my ($b64) = @_;
    my $h = eval { JSON::PP->new->utf8->decode(unb64u($b64)) };
    return ref $h eq 'HASH' ? $h : {alg => 'HS256'};
}

my @MUTATIONS = (
    # a random bit of the decoded bytes of one part, re-encoded canonically
    ['flip bit', 6, sub {
        my ($tok) = @_;
        my @p = parts($tok);
        my $i = int rand 3;
        my $bytes = unb64u($p[$i]);
        return undef unless length $bytes;
        my $pos = int rand length $bytes;
        substr($bytes, $pos, 1) ^= chr(1 << int rand 8);
        $p[$i] = b64u($bytes);
        return join '.', @p;
    }],
    # a random character replaced by another base64url character
    ['replace char (base64url)', 6, sub {
        my ($tok) = @_;
        my @p = parts($tok);
        my $i = int rand 3;
        my $pos = int rand length $p[$i];
        my $old = substr $p[$i], $pos, 1;
        my $new;
        do { $new = pick(@B64) } while $new eq $old;
        substr($p[$i], $pos, 1) = $new;
        return join '.', @p;
    }],
    # the last character of a part changed: often only its unused bits
    ['replace last char (base64url)', 4, sub {
        my ($tok) = @_;
        my @p = parts($tok);
        my $i = rand() < 0.6 ? 2 : int rand 2;
        my $old = substr $p[$i], -1;
        my $new;
        do { $new = pick(@B64) } while $new eq $old;
        substr($p[$i], -1) = $new;
        return join '.', @p;
    }],
    # a character replaced by one outside the alphabet
    ['replace char (not base64url)', 4, sub {
        my ($tok) = @_;
        my $pos = int rand length $tok;
        substr($tok, $pos, 1) = pick(@NOT_B64);
        return $tok;
    }],
    ['insert char', 2, sub {
        my ($tok) = @_;
        substr($tok, int rand(1 + length $tok), 0) =
            rand() < 0.7 ? pick(@B64) : pick(@NOT_B64);
        return $tok;
    }],
    ['delete char', 2, sub {
        my ($tok) = @_;
        substr($tok, int rand length $tok, 1) = '';
        return $tok;
    }],
    ['truncate', 5, sub {
        my ($tok) = @_;
        return substr $tok, 0, 1 + int rand(length($tok) - 1);
    }],
    ['truncate signature bytes', 2, sub {
        my ($tok) = @_;
        my @p = parts($tok);
        my $sig = unb64u($p[2]);
        $p[2] = b64u(substr $sig, 0, int rand length $sig);
        return join '.', @p;
    }],
    ['extend signature bytes', 1, sub {
        my ($tok) = @_;
        my @p = parts($tok);
        my $extra = join '', map { chr int rand 256 } 1 .. 1 + int rand 3;
        $p[2] = b64u(rand() < 0.5 ? unb64u($p[2]) . $extra
                                  : $extra . unb64u($p[2]));
        return join '.', @p;
    }],
    ['drop signature', 2, sub {
        my @p = parts($_[0]);
        return rand() < 0.6 ? "$p[0].$p[1]." : "$p[0].$p[1]";
    }],
    ['duplicate signature', 2, sub {
        my @p = parts($_[0]);
        return rand() < 0.5 ? "$p[0].$p[1].$p[2]$p[2]"
                            : "$p[0].$p[1].$p[2].$p[2]";
    }],
    # the header's alg changed, the signature kept
    ['swap alg', 6, sub {
        my ($tok, $alg) = @_;
        my @p = parts($tok);
        my $h = canon_json_header($p[0]);
        my $new;
        do { $new = pick(@ANY_ALG) } while $new eq $alg;
        $h->{alg} = $new;
        $p[0] = b64u($J->encode($h));
        $p[2] = '' if $new =~ /^none$/i && rand() < 0.5;
        return join '.', @p;
    }],
    ['re-sign with another key', 3, sub {
        my ($tok, $alg) = @_;
        my @p = parts($tok);
        my $key = $LOC{$HOME{$alg}}{wrong};
        return sign_raw($alg, $key, unb64u($p[0]), unb64u($p[1]));
    }],
    # header and payload of one token, signature of another
    ['splice signature', 2, sub {
        my ($tok, $alg) = @_;
        my @p = parts($tok);
        my @o = parts(mint($alg));
        return "$p[0].$p[1].$o[2]";
    }],
    # '=' padding (Crypt::JWT's token pattern allows it)
    ['padding', 4, sub {
        my @p = parts($_[0]);
        my $i = int rand 3;
        $p[$i] .= '=' x (1 + int rand 2);
        $p[$_] .= '=' for grep { rand() < 0.2 } 0 .. 2;
        return join '.', @p;
    }],
    ['empty part', 3, sub {
        my @p = parts($_[0]);
        $p[$_] = '' for grep { rand() < 0.5 } 0 .. 2;
        $p[int rand 3] = '';
        return join '.', @p;
    }],
    ['extra dot', 3, sub {
        my ($tok) = @_;
        my $r = rand;
        return $r < 0.25 ? ".$tok" : $r < 0.5 ? "$tok." : $r < 0.75
            ? $tok =~ s/\./../r
            : do { my $pos = int rand length $tok;
                   substr($tok, $pos, 0) = '.'; $tok };
    }],
    # the same bytes in standard base64
    ['standard base64 alphabet', 1, sub {
        my @p = parts($_[0]);
        my $i = int rand 3;
        $p[$i] =~ tr{-_}{+/} or return undef;
        return join '.', @p;
    }],
    # the unused low bits of the signature's last character set: the same
    # bytes for a lenient decoder
    ['signature trailing bits', 2, sub {
        my @p = parts($_[0]);
        my $unused = {2 => 4, 3 => 2}->{length($p[2]) % 4} or return undef;
        my %val = map { $B64[$_] => $_ } 0 .. 63;
        my $v = $val{substr $p[2], -1};
        substr($p[2], -1) = $B64[$v | (1 + int rand((1 << $unused) - 1))];
        return join '.', @p;
    }],
    # the token sent to a location whose key cannot verify it
    ['other location', 3, sub {
        my ($tok, $alg) = @_;
        return ($tok, pick(grep { $_ ne $HOME{$alg} } @LOCS));
    }],
);

my @mut_bag = map { ($_) x $_->[1] } @MUTATIONS;
my $target = $ENV{JWT_DIFF_COUNT} || 600;
while (@corpus < $target) {
    my ($alg, $tok) = @{ pick(@valid) };
    my $m = pick(@mut_bag);
    my ($new, $loc) = $m->[2]->($tok, $alg);
    next unless defined $new;
    # a second mutation now and then
    # a second mutation now and then, on a token still in three parts
    if (rand() < 0.15 && parts($new) == 3) {
        my $m2 = pick(@mut_bag);
        next if $m2->[0] eq 'other location';
        ($new) = $m2->[2]->($new, $alg);
        next unless defined $new;
        add($loc // $HOME{$alg}, $new, "$m->[0] + $m2->[0]");
        next;
    }
    add($loc // $HOME{$alg}, $new, $m->[0]);
}

# Verdicts.

# Crypt::JWT, as configured like the location: its default-allowed algs,
# exp required (the module's default auth_jwt_require_exp on), nbf and iat
# checked when present (the module always checks them), no leeway.
sub cjwt_verdict
{
    my ($r) = @_;
    my $payload = eval {
        local $SIG{__WARN__} = sub {};
        decode_jwt(token => $r->{tok}, key => $LOC{ $r->{loc} }{cjkey},
                   accepted_alg => $LOC{ $r->{loc} }{algs},
                   verify_exp => 1, verify_nbf => undef, verify_iat => undef,
                   leeway => 0);
    };
    my $err = $@;
    return (0, $err =~ s/ at \S+ line \d+.*//sr) unless defined $payload;
    return (0, 'payload is not an object') unless ref $payload eq 'HASH';
    return (1, '');
}

sub canonical_b64u
{
    my ($part) = @_;
    return 0 if length($part) % 4 == 1 || $part =~ /[^A-Za-z0-9_-]/;
    my $bytes = unb64u($part);
    return defined $bytes && b64u($bytes) eq $part;
}

# The documented classes where the module is stricter than Crypt::JWT,
# with the result code each must give. Padding and base64url canonicity
# and the Ed25519 range check are read off the token itself; the JSON
# classes are those the signed cases above were built for.
my %CLASS_CODE = (
    # README "Security notes": canonical base64url only, no padding...
    padding               => qr/^malformed$/,
    # ...and zero trailing bits. Crypt::JWT strips '=' and ignores the
    # unused bits of a final group.
    noncanonical_b64      => qr/^malformed$/,
    # "JSON objects with duplicate names refused"
    duplicate_member      => qr/^bad_(?:header|payload)$/,
    # "crit refused (RFC 7515 4.1.11)"
    crit                  => qr/^unsupported_crit$/,
    # $jwt_result bad_header: "has a non-string kid"
    kid_not_string        => qr/^bad_header$/,
    # not in the README, but deliberate (see the signed cases above)
    number_out_of_range   => qr/^bad_payload$/,
    # "nesting limited to 32 levels"
    nesting_limit         => qr/^bad_(?:header|payload)$/,
    # README "Variables": a string with \u0000 is refused
    nul_in_string         => qr/^bad_(?:header|payload)$/,
    # $jwt_result bad_time_claim: "exp, nbf or iat is not a number"
    time_claim_not_number => qr/^bad_time_claim$/,
    # RFC 8032 5.1.7 requires S < L; OpenSSL checks it, libtomcrypt does
    # not (S + L verifies there). The README does not say it either.
    ed25519_s_not_reduced => qr/^bad_signature$/,
);

sub stricter_class
{
    my ($r) = @_;
    my @p = parts($r->{tok});
    return 'padding' if $r->{tok} =~ /=/;
    return 'noncanonical_b64' if grep { !canonical_b64u($_) } @p;
    return $r->{class} if $r->{class};
    if ($r->{loc} eq 'ed' && @p == 3) {
        my $sig = unb64u($p[2]) // '';
        if (length $sig == 64) {
            my $s = Math::BigInt->from_hex(
                unpack 'H*', scalar reverse substr $sig, 32);
            return 'ed25519_s_not_reduced' if $s >= $ED_L;
        }
    }
    return undef;
}

my (%count, %stricter, %by_kind);
my $show = sub {
    my ($tok) = @_;
    return length $tok > 200 ? substr($tok, 0, 200) . '...' : $tok;
};

for my $i (0 .. $#corpus) {
    my $r = $corpus[$i];
    my ($cj, $cj_err) = cjwt_verdict($r);
    my ($st, $h) = $t->http_get("/$r->{loc}/ok",
                                Authorization => "Bearer $r->{tok}");
    my $code = $h->{'x-jwt-result'} // '';
    my $name = sprintf '#%03d %s at /%s/', $i, $r->{kind}, $r->{loc};
    my $what = "token: " . $show->($r->{tok}) . "\n"
             . "Crypt::JWT: " . ($cj ? 'accept' : "reject ($cj_err)") . "\n"
             . 'module: ' . ($st // 'no response') . " $code";

    if (!defined $st || ($st != 200 && $st != 401)) {
        fail("$name: module answered 200 or 401") or diag($what);
        next;
    }
    my $mod = $st == 200 ? 1 : 0;
    $by_kind{ $r->{kind} }{$mod ? 'accept' : 'reject'}++;

    if ($mod == $cj) {
        $count{$mod ? 'agree_accept' : 'agree_reject'}++;
        if ($mod) {
            is($code, 'ok', "$name: both accept") or diag($what);
        } else {
            isnt($code, 'ok', "$name: both reject") or diag($what);
        }
    } elsif ($mod) {
        $count{module_laxer}++;
        fail("$name: the module accepts what Crypt::JWT refuses")
            or diag($what);
    } else {
        my $class = stricter_class($r);
        if (!$class || !$CLASS_CODE{$class}) {
            $count{unexplained}++;
            fail("$name: the module refuses what Crypt::JWT accepts, "
                 . 'in no documented class') or diag($what);
            diag("(class $class has no entry in %CLASS_CODE)") if $class;
        } elsif ($code !~ $CLASS_CODE{$class}) {
            $count{unexplained}++;
            fail("$name: stricter ($class) but with result \"$code\"")
                or diag($what);
        } else {
            $stricter{$class}++;
            pass("$name: module stricter ($class, $code)");
        }
    }
}

# Every valid token was accepted by both, and the corpus is what we think.
is(scalar(grep { $_->{valid} } @corpus), 5 * @SIGN_ALGS,
   'valid tokens in the corpus');
cmp_ok($count{agree_accept} // 0, '>=', 5 * @SIGN_ALGS,
       'at least every valid token accepted by both');
is(scalar @corpus, $target, "corpus of $target tokens");
ok(!$count{module_laxer} && !$count{unexplained},
   'no disagreement outside the documented stricter classes');

# Every documented class was met at least once, so the corpus keeps
# exercising them.
ok($stricter{$_}, "stricter class $_ exercised") for sort keys %CLASS_CODE;

if ($ENV{TEST_VERBOSE} || $ENV{JWT_DIFF_VERBOSE}) {
    my $total = 0;
    $total += $_ for values %stricter;
    diag(sprintf 'agree-accept %d, agree-reject %d, module stricter %d (%s), '
         . 'module laxer %d, unexplained %d',
         $count{agree_accept} // 0, $count{agree_reject} // 0, $total,
         join(', ', map { "$_ $stricter{$_}" } sort keys %stricter),
         $count{module_laxer} // 0, $count{unexplained} // 0);
}
if ($ENV{JWT_DIFF_VERBOSE}) {
    diag(sprintf '%-45s accept %3d reject %3d', $_,
         $by_kind{$_}{accept} // 0, $by_kind{$_}{reject} // 0)
        for sort keys %by_kind;
}

# nginx still serves valid tokens after the whole corpus.
for my $alg (@SIGN_ALGS) {
    $t->auth_is("/$HOME{$alg}/ok", mint($alg), 200, 'ok',
                "after the corpus: $alg still accepted");
}

diag(sprintf 'runtime %.1f s', Time::HiRes::time() - $started)
    if $ENV{JWT_DIFF_VERBOSE};

$t->stop;

done_testing;
