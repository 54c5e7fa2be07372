#!/usr/bin/perl
# examples/keycloak.conf as shipped, on free ports, with a realm key made
# here in a key set shaped like Keycloak's certs document: realm and client
# roles in nested claims, issuer and audience, identity headers upstream.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use Test::More;

use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $repo = abs_path(dirname(__FILE__) . '/..');
my $t = JwtTest->new;
my $dir = $t->dir;

my $conf = $t->example_conf('keycloak.conf');
like($conf, qr{auth_jwt_key\s+file=keys/keycloak-demo\.jwks;},
     'the example reads keys/keycloak-demo.jwks beside it');
$t->write_file('nginx.conf', $conf);

# The shipped key set loads.
$t->write_file('keys/keycloak-demo.jwks',
               JwtTest::slurp("$repo/examples/keys/keycloak-demo.jwks"));
my ($rc, $out) = $t->test_config;
is($rc, 0, 'nginx -t passes with the shipped keys/keycloak-demo.jwks')
    or diag($out);
my $shipped = JSON::PP->new->decode(
    JwtTest::slurp("$repo/examples/keys/keycloak-demo.jwks"));
ok(!grep({ exists $_->{d} } @{ $shipped->{keys} }),
   'the shipped set holds no private key');

# A realm key made here, in a set like Keycloak's: the signing key with its
# certificate chain, and an encryption key that must be skipped.
my $realm = $t->keypair('realm', 'rsa');
my $enc = $t->keypair('enc', 'rsa');
my $pem = JwtTest::slurp("$dir/" . $t->cert('realm'));
my ($der) = $pem =~ /-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END/s;
$der =~ s/\s+//g;
$t->write_file('keys/keycloak-demo.jwks', json({keys => [
    {%{ $enc->{jwk} }, kid => 'enc-key', use => 'enc', alg => 'RSA-OAEP'},
    {%{ $realm->{jwk} }, kid => 'demo-realm-rs256', use => 'sig',
     alg => 'RS256', x5c => [$der]},
]}));

$t->start;

my $ISS = 'https://keycloak.example.com/realms/demo';

# An access token as Keycloak issues it, with changes.
sub kc_token
{
    my (%over) = @_;
    my %claims = (
        iss                => $ISS,
        aud                => 'account',
        sub                => 'f5b7c3a0-0000-4000-8000-000000000001',
        typ                => 'Bearer',
        azp                => 'my-app',
        preferred_username => 'jane',
        email              => 'jane@example.com',
        email_verified     => JSON::PP::true,
        scope              => 'openid email profile',
        realm_access       => {roles => ['default-roles-demo',
                                         'offline_access']},
        resource_access    => {account => {roles => ['manage-account']}},
        iat                => time,
        exp                => time + 300,
        %over,
    );
    my $key = delete $claims{_key} || $realm;
    my $kid = exists $claims{_kid} ? delete $claims{_kid}
                                   : 'demo-realm-rs256';
    return jwt('RS256', $key, \%claims, defined $kid ? {kid => $kid} : {});
}

sub get
{
    my ($path, $token) = @_;
    return $t->http_get($path, defined $token
                               ? (Authorization => "Bearer $token") : ());
}

sub refused
{
    my ($path, $token, $status, $code, $name) = @_;
    my $mark = $t->log_mark;
    my ($st, $h) = get($path, $token);
    is($st, $status, "$name: $status");
    my $error = $status == 403 ? 'insufficient_scope' : 'invalid_token';
    is($h->{'www-authenticate'}, qq{Bearer realm="demo", error="$error"},
       "$name: $error");
    like($t->log_since($mark), qr/\[info\].*auth_jwt: .*"\Q$code\E"/,
         "$name: logged as $code");
}

my $admin = kc_token(realm_access => {roles => ['default-roles-demo',
                                                'admin']});
my $editor = kc_token(resource_access => {
    'my-app' => {roles => ['viewer', 'editor']},
    account  => {roles => ['manage-account']},
});
my $plain = kc_token();

my ($st, $h, $body);

# Any user of the realm; identity and roles upstream.
($st, $h, $body) = get('/home', $plain);
is($st, 200, 'a realm user: 200');
is($body, "app: /home user=jane email=jane\@example.com "
          . "realm-roles=default-roles-demo,offline_access app-roles=\n",
   'identity and realm roles passed upstream');
($st, $h, $body) = get('/home', $editor);
like($body, qr/ app-roles=viewer,editor$/m, 'client roles passed upstream');

# Realm role "admin".
($st, $h, $body) = get('/admin/users', $admin);
is($st, 200, 'realm role admin: /admin/ 200');
like($body, qr/realm-roles=default-roles-demo,admin /,
     'admin: roles upstream');
refused('/admin/users', $plain, 403, 'claim_rule_failed',
        'no realm role admin');
refused('/admin/users', kc_token(resource_access => {
            'my-app' => {roles => ['admin']}}), 403, 'claim_rule_failed',
        'a client role "admin" is not the realm role');
refused('/admin/users', kc_token(realm_access => undef, roles => ['admin']),
        403, 'claim_rule_failed', 'a top-level "roles" is not realm_access');

# Client role "editor" of "my-app".
($st) = get('/editor/page', $editor);
is($st, 200, 'client role my-app/editor: /editor/ 200');
refused('/editor/page', $admin, 403, 'claim_rule_failed',
        'no client role editor');
refused('/editor/page', kc_token(resource_access => {
            'other-app' => {roles => ['editor']}}), 403,
        'claim_rule_failed', 'editor of another client');
refused('/editor/page', kc_token(realm_access => {roles => ['editor']}),
        403, 'claim_rule_failed', 'a realm role "editor" is not the client role');

# Boolean claim and scope.
($st) = get('/profile/me', $plain);
is($st, 200, 'verified e-mail and scope profile: 200');
refused('/profile/me', kc_token(email_verified => JSON::PP::false), 403,
        'claim_rule_failed', 'e-mail not verified');
refused('/profile/me', kc_token(scope => 'openid email'), 403,
        'claim_rule_failed', 'no scope profile');

# Issuer, audience, keys.
($st) = get('/home', kc_token(aud => ['my-app', 'account']));
is($st, 200, 'an audience array with "account": 200');
refused('/home', kc_token(aud => 'my-app'), 401, 'audience_mismatch',
        'another audience');
refused('/home', kc_token(aud => undef), 401, 'audience_mismatch',
        'no audience');
refused('/home', kc_token(iss => 'https://keycloak.example.com/realms/other'),
        401, 'issuer_mismatch', 'a token of another realm');
refused('/home', kc_token(iss => 'http://keycloak.example.com/realms/demo'),
        401, 'issuer_mismatch', 'the issuer over http');
refused('/home', kc_token(_key => $enc, _kid => 'enc-key'), 401,
        'unknown_kid', 'the encryption key was skipped: its kid is unknown');
refused('/home', kc_token(_key => $enc), 401, 'bad_signature',
        'another key under the realm\'s kid');
refused('/home', kc_token(exp => time - 60), 401, 'expired',
        'an expired access token');
refused('/home', tamper_payload($plain, {iss => $ISS, aud => 'account',
                                         realm_access => {roles => ['admin']},
                                         exp => time + 300}),
        401, 'bad_signature', 'roles added to a token');

($st, $h) = get('/home');
is($st, 401, 'no token: 401');
is($h->{'www-authenticate'}, 'Bearer realm="demo"', 'no token: challenge');

$t->stop;
done_testing;
