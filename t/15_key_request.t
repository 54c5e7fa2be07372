# Keys from a key request: "auth_jwt_key_request /uri" fetches a JWK Set
# through a subrequest to a location that proxies to the key provider
# (here a second server of the same nginx, or a stand-in provider). The
# set is fetched on first need, shared through the key zone, refreshed
# when stale (Cache-Control max-age, else auth_jwt_key_cache), fetched
# again for an unknown kid at most once per refetch interval, and kept
# when the provider fails or answers junk.

use strict;
use warnings;

use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep time);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;

my %kp = map { $_ => $t->keypair($_, 'p256') } qw(k1 k2 k3);
my $rsa = $t->keypair('r1', 'rsa');

sub jwk { my ($name, $kid) = @_; return { %{ $kp{$name}{jwk} }, kid => $kid // $name } }
sub jwks { return json({ keys => [@_] }) }
sub token { my ($name, $kid, $claims) = @_;
            return jwt('ES256', $kp{$name}, $claims, { kid => $kid // $name }) }

# Replaces a file the provider serves, as a deploy would.
sub publish
{
    my ($name, $content) = @_;
    $t->write_file("$name.new", $content);
    rename $t->dir . "/$name.new", $t->dir . "/$name" or die "rename: $!\n";
}

# Requests the provider saw for a location, from its access log.
sub fetches
{
    my ($uri) = @_;
    my $log = -e $t->dir . '/idp.log' ? $t->read_file('idp.log') : '';
    return scalar grep { m{"GET \Q$uri\E } } split /\n/, $log;
}

# A port that accepts connections and never answers.
my $silent = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                   Listen => 8, ReuseAddr => 1) or die "$!\n";
my $silent_port = $silent->sockport;

publish('idp/main.json', jwks(jwk('k1')));
publish('idp/short.json', jwks(jwk('k1')));
publish('idp/big.json', jwks(map { { %{ $rsa->{jwk} }, kid => "r$_" } } 1 .. 120));
$t->write_file('html/ok', "ok\n");

$t->write_conf(<<"EOF");
log_format idp '"\$request" auth="\$http_authorization" cookie="\$http_cookie"';

server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;

    # inherited by the key locations too: their subrequests must pass
    auth_jwt on;
    auth_jwt_key_request /_jwks/main;
    auth_jwt_key_cache 1h refetch=2s;

    location /main/ { alias %%TESTDIR%%/html/; }

    location /short/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_key request=/_jwks/short;
    }

    location /down/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_key_request /_jwks/down;
    }

    location /silent/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_key_request /_jwks/silent;
    }

    location /big/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_key_request /_jwks/big;
    }

    location /plain/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_key_request /_jwks/plain;
    }

    location /_jwks/ {
        internal;
        proxy_pass http://127.0.0.1:%%PORT2%%/;
        subrequest_output_buffer_size 64k;
    }

    location = /_jwks/silent {
        internal;
        proxy_pass http://127.0.0.1:$silent_port/;
        proxy_read_timeout 1s;
    }

    location = /_jwks/plain {
        internal;
        alias %%TESTDIR%%/idp/main.json;
    }
}

# the key provider
server {
    listen 127.0.0.1:%%PORT2%%;
    root %%TESTDIR%%/idp;
    access_log %%TESTDIR%%/idp.log idp;

    location = /main { try_files /main.json =404; }
    location = /short {
        add_header Cache-Control "public, max-age=1";
        try_files /short.json =404;
    }
    location = /down { return 500; }
    location = /big { try_files /big.json =404; }
}
EOF
$t->start;

my $t1 = token('k1');

$t->auth_is('/main/ok', undef, 401, 'missing', 'no token');
is(fetches('/main'), 0, 'no token: nothing fetched');

$t->auth_is('/main/ok', $t1, 200, 'ok', 'first request fetches the keys');
is(fetches('/main'), 1, 'one fetch');
like($t->read_file('error.log'), qr/fetched 1 keys through "\/_jwks\/main"/,
     'the fetch is logged');

my $log = $t->read_file('idp.log');
unlike($log, qr/auth="Bearer/, "the client's Authorization is not sent");
like($log, qr/auth="-" cookie="-"/, 'nor its cookies');

$t->auth_is('/main/ok', $t1, 200, 'ok', 'again') for 1 .. 3;
is(fetches('/main'), 1, 'cached: no further fetch');

$t->auth_is('/main/ok', token('k2'), 401, 'unknown_kid',
            'unknown kid within the refetch interval');
is(fetches('/main'), 1, 'unknown kid: rate limited, no fetch');

# rotation: the provider adds k2; a k2 token asks again once the refetch
# interval has passed since the last fetch
publish('idp/main.json', jwks(jwk('k1'), jwk('k2')));
sleep 2.1;
$t->auth_is('/main/ok', token('k2'), 200, 'ok', 'new kid: fetched again');
is(fetches('/main'), 2, 'one more fetch');
$t->auth_is('/main/ok', token('k3'), 401, 'unknown_kid',
            'another unknown kid right after');
is(fetches('/main'), 2, 'rate limited again');
$t->auth_is('/main/ok', $t1, 200, 'ok', 'the first key still works');
$t->auth_is('/main/ok', token('k1', 'k2'), 401, 'bad_signature',
            'a token claiming another key\'s kid');

# wrong key types and forgeries against fetched keys
$t->auth_is('/main/ok', jwt('HS256', 'x' x 40, undef, { kid => 'k1' }), 401,
            'alg_not_allowed', 'HS256 against a fetched EC key');
$t->auth_is('/main/ok', tamper_sig($t1), 401, 'bad_signature',
            'tampered signature');

# freshness from Cache-Control: max-age=1
$t->auth_is('/short/ok', $t1, 200, 'ok', 'max-age location');
is(fetches('/short'), 1, 'max-age: first fetch');
publish('idp/short.json', jwks(jwk('k3')));
sleep 1.1;
$t->auth_is('/short/ok', $t1, 401, 'unknown_kid',
            'stale keys: refreshed before the answer, so a removed key is '
            . 'refused at once');
is(fetches('/short'), 2, 'stale: fetched again');
$t->auth_is('/short/ok', token('k3'), 200, 'ok', 'the new key works');

# last known good: the provider answers junk, then fails
my $fetched = fetches('/short');
my $mark = $t->log_mark;
publish('idp/short.json', '{"keys": [ {"kty": "EC"');
sleep 1.1;
$t->auth_is('/short/ok', token('k3'), 200, 'ok', 'junk key set: keys kept');
is(fetches('/short'), $fetched + 1, 'junk: it was fetched');
like($t->log_since($mark),
     qr/\[warn\].*fetching keys through "\/_jwks\/short" failed.*stay in use/,
     'junk: a warning says the keys stay');

$mark = $t->log_mark;
publish('idp/short.json', jwks(jwk('k1', 'k1'), { kty => 'RSA', n => 'AQAB', e => 'AQAB', kid => 'weak' }));
sleep 2.1;    # after a failure, stale keys are asked for once per refetch
$t->auth_is('/short/ok', token('k3'), 200, 'ok',
            'a set with an unusable key never replaces good keys');
like($t->log_since($mark), qr/\[warn\].*failed/, 'and is reported');

# a provider that is down, with no keys yet
$mark = $t->log_mark;
$t->auth_is('/down/ok', $t1, 503, 'keys_unavailable',
            'provider down, no keys: 503');
my $since = $t->log_since($mark);
like($since, qr/\[error\].*fetching keys through "\/_jwks\/down" failed \(status 500\)/,
     'provider down: error logged with the status');
is(scalar(() = $since =~ /auth_jwt: no keys could be fetched yet, result "keys_unavailable"/), 1,
   'the refusal is logged once');
$t->auth_is('/down/ok', undef, 401, 'missing',
            'provider down: no token is still 401');

# a provider that never answers: the proxy's timeout ends the wait
my $start = time;
$t->auth_is('/silent/ok', $t1, 503, 'keys_unavailable',
            'provider silent: 503 after the proxy timeout');
cmp_ok(time - $start, '<', 5, 'the wait ends with the timeout');

# a key set larger than the key zone (32k minimum; set below) is tested in
# its own instance; here a big set fits the default zone
$t->auth_is('/big/ok', jwt('RS256', $rsa, undef, { kid => 'r77' }), 200, 'ok',
            'a set of 120 RSA keys');

# the key location may be any location, here a static file
$t->auth_is('/plain/ok', $t1, 200, 'ok', 'a static key location');

# a reload keeps the fetched keys: the zone outlives the configuration
$fetched = fetches('/main');
kill 'HUP', $t->{pid};
my $reloaded = 0;
for (1 .. 50) {
    sleep 0.1;
    last if ($reloaded = () = $t->read_file('error.log') =~ /reconfiguring/) ;
}
ok($reloaded, 'reloaded');
sleep 0.5;
$t->auth_is('/main/ok', $t1, 200, 'ok', 'after reload');
is(fetches('/main'), $fetched, 'after reload: no new fetch');

$t->stop;

# Concurrent requests during a fetch share it, across workers too.
{
    my $c = JwtTest->new;
    $c->{keys} = $t->{keys};
    $c->write_file('html/ok', "ok\n");
    $c->write_file('jwks.json', jwks(jwk('k1')));
    my $port = $c->stub_server(delay => 1, file => 'jwks.json',
                               hits => 'hits.log');
    $c->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
    auth_jwt on;
    auth_jwt_key_request /_jwks;

    location = /_jwks {
        internal;
        proxy_pass http://127.0.0.1:$port/jwks;
    }
}
EOF
    my $conf = $c->read_file('nginx.conf');
    $conf =~ s/worker_processes 1;/worker_processes 2;/ or die;
    $c->write_file('nginx.conf', $conf);
    $c->start;

    my @socks = map {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $c->port)
            or die "$!\n";
        $s->syswrite("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     . "Authorization: Bearer $t1\r\n\r\n");
        sleep 0.05;
        $s;
    } 1 .. 6;
    my @status = map {
        my $reply = '';
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm 20;
        while ($_->sysread(my $buf, 4096)) { $reply .= $buf }
        alarm 0;
        $reply =~ m{^HTTP/1\.1 (\d+)} ? $1 : 'none';
    } @socks;
    is_deeply(\@status, [(200) x 6], 'six concurrent cold requests pass');
    my @hits = split /\n/, $c->read_file('hits.log');
    is(scalar @hits, 1, 'and share one fetch');
    $c->stop;
}

# A key set that does not fit the key zone.
{
    my $z = JwtTest->new;
    $z->{keys} = $t->{keys};
    $z->write_file('html/ok', "ok\n");
    $z->write_file('big.json', $t->read_file('idp/big.json'));
    $z->write_conf(<<'EOF');
auth_jwt_key_zone 32k;
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result $jwt_result always;
    auth_jwt on;
    auth_jwt_key_request /_jwks;

    location = /_jwks {
        internal;
        alias %%TESTDIR%%/big.json;
        subrequest_output_buffer_size 128k;
    }
}
EOF
    $z->start;
    my $mark = $z->log_mark;
    $z->auth_is('/ok', jwt('RS256', $rsa, undef, { kid => 'r1' }), 503,
                'keys_unavailable', 'key set larger than the zone');
    like($z->log_since($mark), qr/"auth_jwt_key_zone" has no room/,
         'zone full: logged, naming the directive');
    $z->stop;
}

# Configuration errors.
{
    my $e = JwtTest->new;
    my @cases = (
        ['auth_jwt_key_request /jwks; auth_jwt_key "' . ('s' x 32) . '";',
         qr/"auth_jwt_key" cannot be combined with keys from a key request/],
        ['auth_jwt_key "' . ('s' x 32) . '"; auth_jwt_key_request /jwks;',
         qr/cannot be combined with "auth_jwt_key" at the same level/],
        ['auth_jwt_key_request /a; auth_jwt_key_request /b;',
         qr/only one key request/],
        ['auth_jwt_key_request http://idp/jwks;',
         qr/invalid key request URI "http:\/\/idp\/jwks"/],
        ['auth_jwt_key_request /jwks$arg_x;', qr/without variables/],
        ['auth_jwt_key_request /jwks; auth_jwt_key_cache 0;',
         qr/invalid time "0"/],
        ['auth_jwt_key_request /jwks; auth_jwt_key_cache 1m refetch=x;',
         qr/invalid time "x"/],
        ['auth_jwt_key_request /jwks; auth_jwt_key_cache 1m every=2s;',
         qr/invalid parameter "every=2s"/],
    );
    for my $case (@cases) {
        my ($directives, $expect) = @$case;
        $e->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    location / {
        auth_jwt on;
        $directives
    }
}
EOF
        my ($rc, $out) = $e->test_config;
        isnt($rc, 0, "nginx -t fails: $directives");
        like($out, qr/$expect.*nginx\.conf:\d+/, "message: $directives");
    }

    # zones of two kinds under one name
    $e->write_file('revoked.txt', "jti x\n");
    $e->write_conf(<<'EOF');
auth_jwt_cache zone=shared:1m;
auth_jwt_revoke file=%%TESTDIR%%/revoked.txt zone=shared:1m;
server {
    listen 127.0.0.1:%%PORT%%;
    location / { auth_jwt on; auth_jwt_key_request /jwks; }
}
EOF
    my ($zrc, $zout) = $e->test_config;
    isnt($zrc, 0, 'nginx -t fails: one zone name for two kinds of zone');
    like($zout, qr/zone "shared" is already declared for a different use/,
         'message: one zone name for two kinds of zone');

    $e->write_conf(<<'EOF');
auth_jwt_key_zone 4k;
server {
    listen 127.0.0.1:%%PORT%%;
    location / { auth_jwt on; auth_jwt_key_request /jwks; }
}
EOF
    my ($rc, $out) = $e->test_config;
    isnt($rc, 0, 'nginx -t fails: a tiny key zone');
    like($out, qr/"auth_jwt_key_zone" of 4096 bytes is too small/,
         'message: a tiny key zone');
}

done_testing;
