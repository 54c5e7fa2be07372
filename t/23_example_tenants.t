#!/usr/bin/perl
# examples/multi-tenant.conf as shipped, on free ports, with key pairs made
# here in place of the shipped public keys: each issuer reaches its own
# backend and path, unknown issuers are refused, and one tenant's key
# cannot sign for another.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use Test::More;
use JSON::PP ();

use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $repo = abs_path(dirname(__FILE__) . '/..');
my $t = JwtTest->new;
my $dir = $t->dir;
my ($port3) = grep { $_ != $t->port && $_ != $t->port2 }
    JwtTest::free_ports(3);

my $conf = $t->example_conf('multi-tenant.conf', 8082 => $port3);
like($conf, qr{auth_jwt_key\s+file=keys/tenants\.jwks;},
     'the example reads keys/tenants.jwks beside it');
$t->write_file('nginx.conf', $conf);

# The shipped key set loads.
$t->write_file('keys/tenants.jwks',
               JwtTest::slurp("$repo/examples/keys/tenants.jwks"));
my ($rc, $out) = $t->test_config;
is($rc, 0, 'nginx -t passes with the shipped keys/tenants.jwks')
    or diag($out);
my $shipped = JSON::PP->new->decode(JwtTest::slurp("$repo/examples/keys/tenants.jwks"));
is_deeply([sort map { $_->{kid} } @{ $shipped->{keys} }],
          ['acme-2024', 'globex-2024'], 'the shipped set names both kids');
ok(!grep({ exists $_->{d} } @{ $shipped->{keys} }),
   'the shipped set holds no private key');

# The same set with keys made here.
my $acme = $t->keypair('acme', 'p256');
my $globex = $t->keypair('globex', 'p256');
my $intruder = $t->keypair('intruder', 'p256');
$t->write_file('keys/tenants.jwks', json({keys => [
    {%{ $acme->{jwk} }, kid => 'acme-2024', use => 'sig', alg => 'ES256'},
    {%{ $globex->{jwk} }, kid => 'globex-2024', use => 'sig', alg => 'ES256'},
]}));

$t->start;

my %ACME = (iss => 'https://login.acme.example');
my %GLOBEX = (iss => 'https://login.globex.example');

sub tok
{
    my ($key, $kid, %claims) = @_;
    return jwt('ES256', $key, {iat => time, %claims},
               defined $kid ? {kid => $kid} : {});
}

sub refused
{
    my ($token, $code, $name) = @_;
    my $mark = $t->log_mark;
    my ($st, $h) = $t->http_get('/orders', Authorization => "Bearer $token");
    is($st, 401, "$name: 401");
    is($h->{'www-authenticate'}, 'Bearer realm="tenants", error="invalid_token"',
       "$name: invalid_token");
    like($t->log_since($mark), qr/\[info\].*auth_jwt: .*"\Q$code\E"/,
         "$name: logged as $code");
}

my ($st, $h, $body);

# Each issuer to its own backend and path.
($st, $h, $body) = $t->http_get('/orders?id=7', Authorization => 'Bearer '
    . tok($acme, 'acme-2024', %ACME, sub => 'wile'));
is($st, 200, 'acme token: 200');
is($body, "acme backend: /acme/orders?id=7 user=wile\n",
   'acme token: acme backend, /acme path');

($st, $h, $body) = $t->http_get('/orders', Authorization => 'Bearer '
    . tok($globex, 'globex-2024', %GLOBEX, sub => 'hank'));
is($st, 200, 'globex token: 200');
is($body, "globex backend: /globex/v2/orders user=hank\n",
   'globex token: globex backend, /globex/v2 path');

# Refusals.
refused(tok($acme, 'acme-2024', iss => 'https://login.evil.example'),
        'issuer_mismatch', 'an unknown issuer, even with a tenant\'s key');
refused(tok($acme, 'acme-2024'), 'issuer_mismatch', 'no issuer');
refused(tok($globex, 'globex-2024', %ACME), 'claim_rule_failed',
        'globex\'s key signing for acme');
refused(tok($globex, 'acme-2024', %ACME), 'bad_signature',
        'globex\'s key under acme\'s kid');
refused(tok($acme, undef, %ACME), 'claim_rule_failed',
        'a token without kid matches no issuer');
refused(tok($intruder, 'intruder-1', %ACME), 'unknown_kid',
        'a key that is not in the set');
refused(tok($acme, 'acme-2024', %ACME, exp => time - 60), 'expired',
        'an expired acme token');
refused(jwt('HS256', 'x' x 64, {%ACME}, {kid => 'acme-2024'}),
        'alg_not_allowed', 'an HS256 token');

($st, $h) = $t->http_get('/orders');
is($st, 401, 'no token: 401');
is($h->{'www-authenticate'}, 'Bearer realm="tenants"', 'no token: challenge');

$t->stop;
done_testing;
