#!/usr/bin/perl
# examples/api-gateway.conf as shipped, on free ports: issuer and audience,
# per-method rules on /orders, identity headers upstream, the token
# stripped, an open health check.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use Test::More;

use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $repo = abs_path(dirname(__FILE__) . '/..');
my $t = JwtTest->new;
my $dir = $t->dir;

my $conf = $t->example_conf('api-gateway.conf');
$t->write_file('nginx.conf', $conf);

my ($secret) = $conf =~ /^\s*auth_jwt_key\s+"([^"]+)";/m;
ok(defined $secret, 'the example has a demo secret');
like($conf, qr/key => "\Q$secret\E"/,
     'the comment mints its demo token with that secret');

$t->start;

my %base = (sub => 'demo-user', iss => 'https://auth.example.com',
            aud => 'orders-api', iat => time, exp => time + 600);
sub tok { jwt('HS256', $secret, {%base, @_}) }

my $reader = tok(scope => 'openid orders:read');
my $writer = tok(scope => 'openid', roles => ['orders:write', 'audit']);
my $both = tok(scope => 'orders:read', roles => ['orders:write']);

sub request
{
    my ($method, $path, $token, $body) = @_;
    $body //= '';
    my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\nContent-Length: " . length($body) . "\r\n";
    $req .= "Authorization: Bearer $token\r\n" if defined $token;
    return $t->http("$req\r\n$body");
}

# A refusal: status, challenge, and the reason in the error log.
sub refused
{
    my ($method, $path, $token, $status, $code, $name) = @_;
    my $mark = $t->log_mark;
    my ($st, $h) = request($method, $path, $token);
    is($st, $status, "$name: $status");
    my $error = $status == 403 ? 'insufficient_scope' : 'invalid_token';
    is($h->{'www-authenticate'}, qq{Bearer realm="orders", error="$error"},
       "$name: $error");
    like($t->log_since($mark), qr/\[info\].*auth_jwt: .*"\Q$code\E"/,
         "$name: logged as $code");
}

my ($st, $h, $body);

# Reading orders.
($st, $h, $body) = request('GET', '/orders?page=2', $reader);
is($st, 200, 'GET /orders with scope orders:read: 200');
is($body, "orders service: GET /orders?page=2 user=demo-user roles= "
          . "authorization=\n",
   'GET /orders: identity upstream, token stripped');
($st) = request('HEAD', '/orders', $reader);
is($st, 200, 'HEAD /orders with scope orders:read: 200');
($st, $h, $body) = request('GET', '/orders/42', $both);
is($body, "orders service: GET /orders/42 user=demo-user "
          . "roles=orders:write authorization=\n",
   'GET /orders/42: roles joined into X-Roles');
refused('GET', '/orders', $writer, 403, 'claim_rule_failed',
        'GET /orders without the read scope');
refused('GET', '/orders', tok(scope => 'orders:reader'), 403,
        'claim_rule_failed', 'GET /orders with a scope that only starts alike');

# Writing orders.
($st, $h, $body) = request('POST', '/orders', $writer, '{"item": 1}');
is($st, 200, 'POST /orders with role orders:write: 200');
is($body, "orders service: POST /orders user=demo-user "
          . "roles=orders:write,audit authorization=\n",
   'POST /orders: proxied with identity, without token');
refused('POST', '/orders', $reader, 403, 'claim_rule_failed',
        'POST /orders with only the read scope');
refused('DELETE', '/orders/42', tok(roles => ['orders:writer', 'admin']),
        403, 'claim_rule_failed', 'DELETE with roles that only start alike');
($st) = request('DELETE', '/orders/42', $writer);
is($st, 200, 'DELETE /orders/42 with role orders:write: 200');

# Issuer, audience, lifetime, signature.
refused('GET', '/orders', tok(scope => 'orders:read',
                              iss => 'https://evil.example.com'),
        401, 'issuer_mismatch', 'another issuer');
refused('GET', '/orders', tok(scope => 'orders:read', iss => undef), 401,
        'issuer_mismatch', 'no issuer');
refused('GET', '/orders', tok(scope => 'orders:read', aud => 'billing-api'),
        401, 'audience_mismatch', 'another audience');
($st) = request('GET', '/orders', tok(scope => 'orders:read',
                                      aud => ['billing-api', 'orders-api']));
is($st, 200, 'an audience array naming this API: 200');
refused('GET', '/orders', tok(scope => 'orders:read', iat => time,
                              exp => time + 86400),
        401, 'lifetime_too_long', 'a day-long token');
refused('GET', '/orders', tok(scope => 'orders:read', exp => time - 60), 401,
        'expired', 'an expired token');
refused('GET', '/orders', tamper_sig($both), 401, 'bad_signature',
        'a forged token');

($st, $h) = request('GET', '/orders');
is($st, 401, 'no token: 401');
is($h->{'www-authenticate'}, 'Bearer realm="orders"', 'no token: challenge');
($st) = request('POST', '/orders');
is($st, 401, 'POST without a token: 401, not 403');

# Health check.
($st, $h, $body) = request('GET', '/health');
is($st, 200, '/health without a token: 200');
is($body, "ok\n", '/health body');

$t->stop;
done_testing;
