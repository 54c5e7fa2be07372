# OpenID Connect discovery: "auth_jwt_discovery ISSUER request=/uri" asks
# the location for ISSUER/.well-known/openid-configuration, then for the
# document's "jwks_uri", each time with the URL in $jwt_fetch_url; the
# document must name exactly that issuer, and tokens must carry it in
# "iss" unless auth_jwt_issuer says otherwise.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;
my $kp = $t->keypair('k1', 'p256');
my $issuer = 'http://127.0.0.1:' . $t->port2;

sub token { my ($claims) = @_; return jwt('ES256', $kp, $claims, { kid => 'k1' }) }

sub document
{
    my ($iss, $jwks_uri) = @_;
    return json({ issuer => $iss, jwks_uri => $jwks_uri,
                  id_token_signing_alg_values_supported => ['ES256'] });
}

$t->write_file('html/ok', "ok\n");
$t->write_file('idp/certs', json({ keys => [{ %{ $kp->{jwk} }, kid => 'k1' }] }));
$t->write_file('idp/.well-known/openid-configuration',
               document($issuer, "$issuer/certs"));
$t->write_file('idp/evil/.well-known/openid-configuration',
               document($issuer, "$issuer/certs"));
$t->write_file('idp/ftp/.well-known/openid-configuration',
               document("$issuer/ftp", 'ftp://127.0.0.1/certs'));

$t->write_conf(<<'EOF');
log_format idp '"$request"';

server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result $jwt_result always;

    auth_jwt on;
    auth_jwt_discovery http://127.0.0.1:%%PORT2%% request=/_oidc;

    location /api/ { alias %%TESTDIR%%/html/; }

    location /override/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_issuer https://other.example;
    }

    location /evil/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_discovery http://127.0.0.1:%%PORT2%%/evil request=/_oidc;
    }

    location /ftp/ {
        alias %%TESTDIR%%/html/;
        auth_jwt_discovery http://127.0.0.1:%%PORT2%%/ftp request=/_oidc;
    }

    location = /url {
        auth_jwt off;
        return 200 "[$jwt_fetch_url]";
    }

    location = /_oidc {
        internal;
        proxy_pass $jwt_fetch_url;
    }
}

server {
    listen 127.0.0.1:%%PORT2%%;
    root %%TESTDIR%%/idp;
    access_log %%TESTDIR%%/idp.log idp;
    default_type application/json;
}
EOF
$t->start;

sub requests { my $log = $t->read_file('idp.log'); return [split /\n/, $log] }

$t->auth_is('/api/ok', token({ iss => $issuer }), 200, 'ok',
            'discovered keys verify a token of the issuer');
is_deeply(requests(),
          ['"GET /.well-known/openid-configuration HTTP/1.0"',
           '"GET /certs HTTP/1.0"'],
          'the document, then its jwks_uri');

$t->auth_is('/api/ok', token({ iss => 'https://other.example' }), 401,
            'issuer_mismatch', 'another issuer is refused');
$t->auth_is('/api/ok', token({ iss => undef }), 401, 'issuer_mismatch',
            'no issuer is refused');
$t->auth_is('/api/ok', token({ iss => "$issuer/" }), 401, 'issuer_mismatch',
            'the issuer must match exactly');

$t->auth_is('/override/ok', token({ iss => 'https://other.example' }), 200,
            'ok', 'auth_jwt_issuer overrides the discovered issuer');
$t->auth_is('/override/ok', token({ iss => $issuer }), 401,
            'issuer_mismatch', 'and then the discovered one is refused');
is(scalar @{ requests() }, 2, 'one discovery for the locations sharing it');

my $mark = $t->log_mark;
$t->auth_is('/evil/ok', token({ iss => $issuer }), 503, 'keys_unavailable',
            'a document for another issuer is refused');
like($t->log_since($mark), qr/discovery document is for another issuer/,
     'and the reason logged');

$mark = $t->log_mark;
$t->auth_is('/ftp/ok', token({ iss => "$issuer/ftp" }), 503,
            'keys_unavailable', 'a jwks_uri that is not http(s) is refused');
like($t->log_since($mark), qr/"jwks_uri" is not an http\(s\) URL/,
     'and the reason logged');

my (undef, undef, $body) = $t->http_get('/url');
is($body, '[]', '$jwt_fetch_url is empty outside a key request');

$t->stop;

my $e = JwtTest->new;
for my $case (
    ['auth_jwt_discovery https://idp.example /oidc;',
     qr/invalid parameter "\/oidc": "request=\/uri"/],
    ['auth_jwt_discovery idp.example request=/oidc;',
     qr/invalid issuer "idp\.example"/],
    ['auth_jwt_discovery https://idp.example request=oidc;',
     qr/invalid key request URI "oidc"/],
) {
    my ($directive, $expect) = @$case;
    $e->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    location / { auth_jwt on; $directive }
}
EOF
    my ($rc, $out) = $e->test_config;
    isnt($rc, 0, "nginx -t fails: $directive");
    like($out, qr/$expect.*nginx\.conf:\d+/, "message: $directive");
}

done_testing;
