# auth_jwt_cache: a repeated token is served from the shared cache
# ($jwt_cache_status HIT), and a hit still gets every check that depends
# on the location and the clock: its keys as they are now (a key removed
# from a hot-reloaded file, another location's keys), claim rules, issuer,
# exp. Small zones and max= evict the least recently used entries. Entries
# survive a reload. nginx -t refuses bad syntax and unknown zones.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep time);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n")
    for qw(a b ref claims iss leeway nocache reload es ed hs tiny max vars);
my $rsa = $t->keypair('rsa', 'rsa');
my $rsa2 = $t->keypair('rsa2', 'rsa');
my $p256 = $t->keypair('p256', 'p256');
my $ed = $t->keypair('ed', 'ed25519');
my %kid_key = map { $_ => $t->keypair($_, 'rsa') } qw(k1 k2 k3);
my $secret = 'token-cache-secret-' . ('s' x 45);

sub jwks
{
    my (@kids) = @_;
    return json({ keys => [ map { { %{ $kid_key{$_}{jwk} }, kid => $_ } }
                            @kids ] });
}
my $jwks = $t->write_file('keys/set.jwks', jwks(qw(k1 k2)));

my $CONF = <<'EOF';
auth_jwt_cache zone=tok:1m;

server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result $jwt_result always;
    add_header X-Cache $jwt_cache_status always;
    %%EXTRA%%

    location /a/ { auth_jwt on; auth_jwt_key file=keys/rsa.pub; }
    location /b/ { auth_jwt on; auth_jwt_key file=keys/rsa2.pub; }
    location /ref/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_cache zone=shared;
    }
    location /claims/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_claims "scope~=admin";
    }
    location /iss/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_issuer https://idp.example;
    }
    location /leeway/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_leeway 60s;
    }
    location /nocache/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_cache off;
    }
    location /reload/ { auth_jwt on; auth_jwt_key file=keys/set.jwks; }
    location /es/ { auth_jwt on; auth_jwt_key file=keys/p256.pub; }
    location /ed/ { auth_jwt on; auth_jwt_key file=keys/ed.pub; }
    location /hs/ { auth_jwt on; auth_jwt_key "%%SECRET%%"; }
    location /tiny/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_cache zone=tiny:32k;
    }
    location /max/ {
        auth_jwt on;
        auth_jwt_key file=keys/rsa.pub;
        auth_jwt_cache zone=small:32k max=2;
    }
    location /vars/ {
        auth_jwt on;
        auth_jwt_key file=keys/set.jwks;
        add_header X-Sub $jwt_claim_sub always;
        add_header X-Kid $jwt_header_kid always;
        add_header X-Cache $jwt_cache_status always;
    }
}

# defined after its first use, in another server
server {
    listen 127.0.0.1:%%PORT2%%;
    auth_jwt_cache zone=shared:64k;
}
EOF

sub conf
{
    my ($extra) = @_;
    (my $conf = $CONF) =~ s/%%EXTRA%%/$extra/;
    $conf =~ s/%%SECRET%%/$secret/;
    return $conf;
}

$t->write_conf(conf(''));
$t->start;

# (status, X-Cache or '' when absent, X-Jwt-Result)
sub get
{
    my ($path, $token, @headers) = @_;
    push @headers, Authorization => "Bearer $token" if defined $token;
    my ($st, $h) = $t->http_get($path, @headers);
    return ($st // 0, $h->{'x-cache'} // '', $h->{'x-jwt-result'} // '', $h);
}

# One request: its status, cache status and result, as one test.
sub is_cached
{
    my ($path, $token, $status, $cache, $result, $name) = @_;
    my ($st, $c, $r) = get($path, $token);
    is("$st $c $r", "$status $cache $result", $name);
}

my $claims = { sub => 'alice', scope => 'read' };

# Hits and misses.
my $tok = jwt('RS256', $rsa, $claims);
is_cached('/a/ok', $tok, 200, 'MISS', 'ok', 'first use: verified, stored');
is_cached('/a/ok', $tok, 200, 'HIT', 'ok', 'repeated: served from the cache');
is_cached('/a/ok', $tok, 200, 'HIT', 'ok', 'and again');
is_cached('/nocache/ok', $tok, 200, '', 'ok',
          'auth_jwt_cache off: no cache status');
is_cached('/a/ok', undef, 401, '', 'missing', 'no token: no cache status');
is_cached('/a/ok', tamper_sig($tok), 401, 'MISS', 'bad_signature',
          'tampered signature: verified in full, refused');
is_cached('/a/ok', tamper_sig($tok), 401, 'MISS', 'bad_signature',
          'a refused token is not stored');
is_cached('/a/ok', tamper_payload($tok, { %$claims, scope => 'admin' }),
          401, 'MISS', 'bad_signature', 'tampered payload: refused');

for my $case (['ES256', $p256, '/es/'], ['EdDSA', $ed, '/ed/'],
              ['HS256', $secret, '/hs/'])
{
    my ($alg, $key, $path) = @$case;
    my $token = jwt($alg, $key);
    is_cached("${path}ok", $token, 200, 'MISS', 'ok', "$alg: first use");
    is_cached("${path}ok", $token, 200, 'HIT', 'ok', "$alg: repeated");
}

# Variables read the token's header and payload on a hit.
{
    my $token = jwt('RS256', $kid_key{k2}, { sub => 'bob' }, { kid => 'k2' });
    for my $round (qw(MISS HIT)) {
        my ($st, $c, undef, $h) = get('/vars/ok', $token);
        is("$st $c", "200 $round", "variables: $round");
        is($h->{'x-sub'}, 'bob', "variables: \$jwt_claim_sub on a $round");
        is($h->{'x-kid'}, 'k2', "variables: \$jwt_header_kid on a $round");
    }
}

# Locations sharing a zone: another key set never admits a token the
# first verified, and a location with the same key may use its entry.
is_cached('/b/ok', $tok, 401, 'MISS', 'bad_signature',
          'other keys, same zone: refused');
my $tok2 = jwt('RS256', $rsa2);
is_cached('/b/ok', $tok2, 200, 'MISS', 'ok', 'other keys: own token stored');
is_cached('/b/ok', $tok2, 200, 'HIT', 'ok', 'other keys: own token hits');
is_cached('/a/ok', $tok2, 401, 'MISS', 'bad_signature',
          'and it is refused where its key is not');
is_cached('/a/ok', $tok, 200, 'HIT', 'ok', 'the first entry is still there');
my $tok3 = jwt('RS256', $rsa, { sub => 'carol' });
is_cached('/ref/ok', $tok3, 200, 'MISS', 'ok', 'zone named by reference');
is_cached('/ref/ok', $tok3, 200, 'HIT', 'ok', 'zone named by reference: hit');
is_cached('/a/ok', $tok3, 200, 'MISS', 'ok',
          'a zone named by reference is its own zone');

# Claim rules and issuer still apply to a hit.
is_cached('/claims/ok', $tok, 403, 'HIT', 'claim_rule_failed',
          'cached token, claim rule fails: 403');
is_cached('/claims/ok', $tok, 403, 'HIT', 'claim_rule_failed',
          'and again');
my $admin = jwt('RS256', $rsa, { scope => 'read admin' });
is_cached('/claims/ok', $admin, 200, 'MISS', 'ok', 'claim rule holds');
is_cached('/claims/ok', $admin, 200, 'HIT', 'ok', 'claim rule holds: hit');
is_cached('/iss/ok', $tok, 401, 'HIT', 'issuer_mismatch',
          'cached token, wrong issuer: 401');
my $idp = jwt('RS256', $rsa, { iss => 'https://idp.example' });
is_cached('/iss/ok', $idp, 200, 'MISS', 'ok', 'issuer holds');
is_cached('/iss/ok', $idp, 200, 'HIT', 'ok', 'issuer holds: hit');

# exp: a cached token is refused once expired; the entry ends at exp even
# where leeway accepts the token a little longer.
{
    # long enough for three requests under valgrind
    my $exp = int(time) + 4;
    my $short = jwt('RS256', $rsa, { exp => $exp });
    is_cached('/a/ok', $short, 200, 'MISS', 'ok', 'short-lived: stored');
    is_cached('/a/ok', $short, 200, 'HIT', 'ok', 'short-lived: hit');
    is_cached('/leeway/ok', $short, 200, 'HIT', 'ok',
              'short-lived: hit where leeway is set');
    sleep($exp - time + 0.2) if time < $exp + 0.2;
    is_cached('/a/ok', $short, 401, 'MISS', 'expired',
              'expired: refused, the entry is gone');
    is_cached('/leeway/ok', $short, 200, 'MISS', 'ok',
              'within leeway after exp: verified in full');
    is_cached('/leeway/ok', $short, 200, 'MISS', 'ok',
              'within leeway after exp: not stored again');
}

# A key removed from a hot-reloaded key file: its cached tokens are refused
# once the worker reads the file again.
{
    my $k1 = jwt('RS256', $kid_key{k1}, {}, { kid => 'k1' });
    my $k2 = jwt('RS256', $kid_key{k2}, {}, { kid => 'k2' });
    my $k3 = jwt('RS256', $kid_key{k3}, {}, { kid => 'k3' });
    is_cached('/reload/ok', $k1, 200, 'MISS', 'ok', 'key file: k1 stored');
    is_cached('/reload/ok', $k1, 200, 'HIT', 'ok', 'key file: k1 hits');
    is_cached('/reload/ok', $k2, 200, 'MISS', 'ok', 'key file: k2 stored');

    # replaced as a deploy would, with a modification time of its own
    $t->write_file('keys/set.jwks.new', jwks(qw(k2 k3)));
    my $when = time + 10;
    utime $when, $when, "$jwks.new";
    rename "$jwks.new", $jwks or die "rename: $!\n";

    my $switched = 0;
    for (1 .. 60) {
        last if $switched = (get('/reload/ok', $k3))[0] == 200;
        sleep 0.1;
    }
    ok($switched, 'key file replaced: the new key k3 is in use');
    is_cached('/reload/ok', $k1, 401, 'MISS', 'unknown_kid',
              'removed key k1: its cached token is refused');
    is_cached('/reload/ok', $k1, 401, 'MISS', 'unknown_kid',
              'removed key k1: and stays refused');
    is_cached('/reload/ok', $k2, 200, 'HIT', 'ok', 'kept key k2: still hits');
}

# A reload, awaited: the new worker answers and the old one has exited.
# The new worker's table of recent tokens is empty, while the zone and its
# entries are kept, so that what hits next hits in the zone.
my $generation = 1;
sub reload
{
    $generation++;
    $t->write_conf(conf("add_header X-Generation $generation always;"));
    my $mark = $t->log_mark;
    kill 'HUP', $t->{pid};
    for (1 .. ($ENV{NGINX_VALGRIND} ? 1200 : 400)) {
        my (undef, undef, undef, $h) = get('/a/ok');
        return 1 if ($h->{'x-generation'} // '') eq $generation
                    && $t->log_since($mark) =~ /worker process \d+ exited/;
        sleep 0.05;
    }
    return 0;
}

# max=2 keeps the two most recently used entries. A hit in a worker's own
# table does not touch the zone: the reloads make the hits below hits in
# the zone.
{
    my @tok = map { jwt('RS256', $rsa, { sub => "max$_" }) } 1 .. 3;
    is_cached('/max/ok', $tok[0], 200, 'MISS', 'ok', 'max=2: first stored');
    is_cached('/max/ok', $tok[1], 200, 'MISS', 'ok', 'max=2: second stored');
    ok(reload(), 'max=2: reloaded');
    is_cached('/max/ok', $tok[0], 200, 'HIT', 'ok',
              'max=2: first used, from the zone');
    is_cached('/max/ok', $tok[2], 200, 'MISS', 'ok', 'max=2: third stored');
    ok(reload(), 'max=2: reloaded again');
    is_cached('/max/ok', $tok[0], 200, 'HIT', 'ok',
              'max=2: the recently used first stays');
    is_cached('/max/ok', $tok[1], 200, 'MISS', 'ok',
              'max=2: the least recently used second was evicted');
}

# A zone far too small for the tokens: older entries make room, every
# request succeeds, nothing is logged above info.
{
    my $mark = $t->log_mark;
    my @tok = map { jwt('RS256', $rsa, { sub => "tiny$_" }) } 1 .. 200;
    my $bad = 0;
    for my $token (@tok, $tok[-1]) {
        my ($st, $c) = get('/tiny/ok', $token);
        $bad++ unless $st == 200 && $c =~ /^(?:MISS|HIT)$/;
    }
    is($bad, 0, 'tiny zone: 200 tokens, every request served');
    ok(reload(), 'tiny zone: reloaded');
    is_cached('/tiny/ok', $tok[-1], 200, 'HIT', 'ok',
              'tiny zone: the latest token hits');
    is_cached('/tiny/ok', $tok[0], 200, 'MISS', 'ok',
              'tiny zone: the oldest was evicted');
    unlike($t->log_since($mark), qr/\[(?:warn|error|crit|alert)\]/,
           'tiny zone: nothing logged above info');
}

# A reload keeps the zone and its entries.
{
    my $tok4 = jwt('RS256', $rsa, { sub => 'reload' });
    is_cached('/a/ok', $tok4, 200, 'MISS', 'ok', 'before reload: stored');
    ok(reload(), 'reloaded');
    is_cached('/a/ok', $tok4, 200, 'HIT', 'ok', 'after reload: still a hit');
}

$t->stop;

# nginx -t

my $conf_path = $t->conf_path;

sub config_fails
{
    my ($name, $problem, $at, $body) = @_;
    $t->write_conf($body);
    my ($rc, $out) = $t->test_config;
    is($rc, 1, "$name: nginx -t fails") or diag($out);
    like($out, $problem, "$name: names the problem");
    my $line = $t->conf_line($at);
    like($out, qr/\Q$conf_path\E:$line\b/, "$name: names the file and line");
}

sub with_cache
{
    my ($directives) = @_;
    return <<"EOF";
server {
    listen 127.0.0.1:%%PORT%%;
    location / {
        auth_jwt on;
        auth_jwt_key "$secret";
$directives
    }
}
EOF
}

config_fails('unknown zone', qr/zone "nowhere" is not defined/,
             qr/zone=nowhere/, with_cache('auth_jwt_cache zone=nowhere;'));
config_fails('bad size', qr/invalid zone size "zone=c:lots"/, qr/zone=c:/,
             with_cache('auth_jwt_cache zone=c:lots;'));
config_fails('too small', qr/zone "c" is too small/, qr/zone=c:/,
             with_cache('auth_jwt_cache zone=c:4k;'));
config_fails('empty name', qr/invalid zone name/, qr/zone=:/,
             with_cache('auth_jwt_cache zone=:1m;'));
config_fails('bad parameter', qr/invalid parameter "shared:c:1m"/,
             qr/shared:c/, with_cache('auth_jwt_cache shared:c:1m;'));
config_fails('bad max', qr/invalid parameter "max=0"/, qr/max=0/,
             with_cache('auth_jwt_cache zone=c:1m max=0;'));
config_fails('off with more', qr/invalid parameter "off"/, qr/off max/,
             with_cache('auth_jwt_cache off max=3;'));
config_fails('max on a reference', qr/"max=" belongs where the zone is/,
             qr/zone=c max/, with_cache(<<'EOF'));
auth_jwt_cache zone=c max=5;
}
location /x/ {
auth_jwt_cache zone=c:1m;
EOF
config_fails('duplicate', qr/"auth_jwt_cache" directive is duplicate/,
             qr/zone=d:1m/, with_cache(<<'EOF'));
auth_jwt_cache zone=c:1m;
auth_jwt_cache zone=d:1m;
EOF
config_fails('conflicting size', qr/conflicts with already declared size/,
             qr/zone=c:2m/, with_cache(<<'EOF'));
auth_jwt_cache zone=c:1m;
}
location /x/ {
auth_jwt_cache zone=c:2m;
EOF
config_fails('conflicting max', qr/zone "c" is already defined with another/,
             qr/max=9/, with_cache(<<'EOF'));
auth_jwt_cache zone=c:1m max=8;
}
location /x/ {
auth_jwt_cache zone=c:1m max=9;
EOF
config_fails('zone of another module',
             qr/already declared for a different use/,
             qr/auth_jwt_cache zone=c:1m/,
             "limit_req_zone \$binary_remote_addr zone=c:1m rate=1r/s;\n"
             . with_cache('auth_jwt_cache zone=c:1m;'));

$t->write_conf(with_cache(<<'EOF'));
auth_jwt_cache zone=c;
}
location /x/ {
auth_jwt_cache zone=c:1m max=100;
}
location /y/ {
auth_jwt_cache zone=c:1m max=100;
EOF
my ($rc, $out) = $t->test_config;
is($rc, 0, 'a zone named before its definition, defined twice alike: ok')
    or diag($out);

done_testing;
