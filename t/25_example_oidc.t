#!/usr/bin/perl
# examples/oidc.conf as shipped, on free ports, with its provider played by
# a server of the same nginx at http://127.0.0.1:PORT/realms/demo: keys
# found by discovery, a key rotation followed without a reload, and the
# provider going down with the keys kept.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;
my ($idp_port) = JwtTest::free_ports(1);
my $issuer = "http://127.0.0.1:$idp_port/realms/demo";

my $conf = $t->example_conf('oidc.conf');
$conf =~ s{https://idp\.example\.com/realms/demo}{$issuer}g
    or die "the example's issuer is not https://idp.example.com/realms/demo\n";
like($conf, qr{proxy_pass\s+\$jwt_fetch_url;},
     'the key location proxies to $jwt_fetch_url');

# The provider: its discovery document, its key set, and a switch that
# takes it down.
$conf =~ s{\}\s*\z}{<<"EOF"}e or die;
    server {
        listen 127.0.0.1:$idp_port;
        root   $t->{dir}/idp;
        default_type application/json;
        access_log $t->{dir}/idp.log;

        location / {
            if (-f $t->{dir}/idp-down) { return 502; }
            add_header Cache-Control "max-age=1";
        }
    }
}
EOF
$t->write_file('nginx.conf', $conf);

my %kp = map { $_ => $t->keypair($_, $_ eq 'ec1' ? 'p256' : 'rsa') }
         qw(rsa1 rsa2 ec1);

sub publish
{
    my (@names) = @_;
    my $keys = [map { { %{ $kp{$_}{jwk} }, kid => $_, use => 'sig' } } @names];
    $t->write_file('idp/realms/demo/certs.new', json({ keys => $keys }));
    rename "$t->{dir}/idp/realms/demo/certs.new",
           "$t->{dir}/idp/realms/demo/certs" or die "$!\n";
}

$t->write_file('idp/realms/demo/.well-known/openid-configuration', json({
    issuer   => $issuer,
    jwks_uri => "$issuer/certs",
    id_token_signing_alg_values_supported => ['RS256', 'ES256'],
}));
publish('rsa1');

$t->start;

sub token
{
    my ($name, %claims) = @_;
    my $alg = $name eq 'ec1' ? 'ES256' : 'RS256';
    return jwt($alg, $kp{$name}, { iss => $issuer, sub => 'jane', %claims },
               { kid => $name });
}

sub get
{
    my ($token) = @_;
    my ($st, undef, $body) = $t->http_get('/orders',
                                          Authorization => "Bearer $token");
    return ($st, $body);
}

my ($st, $body) = get(token('rsa1'));
is($st, 200, 'a token of the provider: 200');
is($body, "api: /orders user=jane\n", 'identity passed upstream');

($st) = get(token('rsa1', iss => 'https://evil.example'));
is($st, 401, 'a token of another issuer: 401');

# The provider rotates to a new RSA key and adds an EC key: tokens with the
# new kids pass without a reload.
publish('rsa1', 'rsa2', 'ec1');
sleep 1.1;
($st) = get(token('rsa2'));
is($st, 200, 'after rotation: the new RSA key');
($st) = get(token('ec1'));
is($st, 200, 'after rotation: the new EC key');

# The provider goes down: the keys fetched stay in use.
$t->write_file('idp-down', '');
sleep 1.1;
my $mark = $t->log_mark;
($st) = get(token('rsa2'));
is($st, 200, 'provider down: the keys fetched stay in use');
like($t->log_since($mark), qr/\[warn\].*failed \(status 502\).*stay in use/,
     'provider down: a warning');

$t->stop;
done_testing;
