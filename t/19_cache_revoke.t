# The verified-token cache and the other checks made after a signature:
# a token accepted from the cache is still looked up in the revocation
# list (with its jti, sub and kid read from the token, which a cache hit
# leaves unparsed), and keys from a key request are fingerprinted like
# any other, so a cached token of a key the provider dropped is refused.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;
my $kp = $t->keypair('k1', 'p256');
my $k2 = $t->keypair('k2', 'p256');

$t->write_file('html/ok', "ok\n");
$t->write_file('revoked.txt', "jti nobody\n");
sub jwks { return json({ keys => [map { { %{ $_->[0]{jwk} }, kid => $_->[1] } } @_] }) }
$t->write_file('jwks.json', jwks([$kp, 'k1'], [$k2, 'k2']));

$t->write_conf(<<'EOF');
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result $jwt_result always;
    add_header X-Cache $jwt_cache_status always;

    auth_jwt_cache zone=tokens:1m;

    location /revoke/ {
        alias %%TESTDIR%%/html/;
        auth_jwt on;
        auth_jwt_key file=keys/k1.pub;
        auth_jwt_revoke file=%%TESTDIR%%/revoked.txt zone=revoked:64k;
    }

    location /remote/ {
        alias %%TESTDIR%%/html/;
        auth_jwt on;
        auth_jwt_key_request /_jwks;
        auth_jwt_key_cache 1h refetch=1s;
    }

    location = /_jwks {
        internal;
        alias %%TESTDIR%%/jwks.json;
    }
}
EOF
$t->start;

sub get
{
    my ($path, $token) = @_;
    my ($st, $h) = $t->http_get($path, Authorization => "Bearer $token");
    return join ' ', $st, $h->{'x-jwt-result'} // '', $h->{'x-cache'} // '';
}

my $token = jwt('ES256', $kp, { jti => 'j-1', sub => 'mallory' }, { kid => 'k1' });

is(get('/revoke/ok', $token), '200 ok MISS', 'first: verified and cached');
is(get('/revoke/ok', $token), '200 ok HIT', 'again: a cache hit');

# revoke it: the list is read again within a second
$t->write_file('revoked.txt.new', "jti j-1\n");
rename $t->dir . '/revoked.txt.new', $t->dir . '/revoked.txt' or die "$!\n";
my $now = time + 5;
utime $now, $now, $t->dir . '/revoked.txt';
my $result = '';
for (1 .. 30) {
    $result = get('/revoke/ok', $token);
    last if $result =~ /^401/;
    sleep 0.1;
}
is($result, '401 revoked HIT', 'a cached token is refused once revoked');

$t->write_file('revoked.txt.new', "sub mallory\n");
rename $t->dir . '/revoked.txt.new', $t->dir . '/revoked.txt' or die "$!\n";
$now += 5;
utime $now, $now, $t->dir . '/revoked.txt';
sleep 1.2;
is(get('/revoke/ok', $token), '401 revoked HIT',
   'and by its sub, read from the cached token');

# a key request: the provider drops k2; its cached token is refused
my $t2 = jwt('ES256', $k2, undef, { kid => 'k2' });
is(get('/remote/ok', $t2), '200 ok MISS', 'fetched key: verified and cached');
is(get('/remote/ok', $t2), '200 ok HIT', 'fetched key: a hit');
$t->write_file('jwks.json', jwks([$kp, 'k1']));
sleep 1.1;
# a token with an unknown kid makes nginx fetch the set again
like(get('/remote/ok', jwt('ES256', $kp, undef, { kid => 'k3' })),
     qr/^401 unknown_kid/, 'an unknown kid fetches the set again');
like(get('/remote/ok', $t2), qr/^401 unknown_kid/,
     'the cached token of the dropped key is refused');

$t->stop;
done_testing;
