# auth_jwt_issuer, auth_jwt_audience, auth_jwt_max_lifetime and the iat
# checks, auth_jwt_require, and the auth_jwt_claim_set/auth_jwt_header_set
# variables.

use strict;
use warnings;

use Test::More;
use JSON::PP ();

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'policy-test-secret-' . ('p' x 45);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n")
    for qw(iss aud both srv srv/own life life/leeway plain leeway
           req req2 req403 reqfalse vars);

my @bound = qw(roles ra sub level dotted ctl missing hkid hext halg);
my $backend = join '', map { "$_=\$http_x_$_\\n" } @bound;
my $proxy_headers = join "\n", map {
    "            proxy_set_header X-$_ \$b_$_;"
} @bound;

$t->write_conf(<<"EOF");
http {
    map \$jwt_claim_role \$is_admin {
        admin    1;
        default  0;
    }

    auth_jwt_claim_set   \$b_roles    realm_access roles;
    auth_jwt_claim_set   \$b_ra       realm_access;
    auth_jwt_claim_set   \$b_sub      sub;
    auth_jwt_claim_set   \$b_level    stats level;
    auth_jwt_claim_set   \$b_dotted   "a.b";
    auth_jwt_claim_set   \$b_ctl      info note;
    auth_jwt_claim_set   \$b_missing  realm_access nothing;
    auth_jwt_header_set  \$b_hkid     kid;
    auth_jwt_header_set  \$b_hext     ext tenant;
    auth_jwt_header_set  \$b_halg     alg;

    server {
        listen 127.0.0.1:%%PORT%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;
        auth_jwt "policy";
        auth_jwt_key "$secret";

        location /iss/ {
            auth_jwt_issuer https://a.example.com https://b.example.com;
        }
        location /aud/ { auth_jwt_audience api web; }
        location /both/ {
            auth_jwt_issuer https://a.example.com;
            auth_jwt_audience api;
        }

        location /life/ {
            auth_jwt_max_lifetime 1h;
            location /life/leeway/ { auth_jwt_leeway 60s; }
        }
        location /plain/ { }
        location /leeway/ { auth_jwt_leeway 60s; }

        location /req/ { auth_jwt_require \$is_admin; }
        location /req2/ { auth_jwt_require \$is_admin \$jwt_claim_email; }
        location /req403/ { auth_jwt_require \$is_admin error=403; }
        location /reqfalse/ { auth_jwt_require \$jwt_claim_verified; }

        location /vars/ {
            add_header X-Roles \$b_roles always;
            add_header X-Hkid \$b_hkid always;
            add_header X-Jwt-Result \$jwt_result always;
        }

        location /api/ {
$proxy_headers
            proxy_pass http://127.0.0.1:%%PORT2%%/;
        }
    }

    # issuer set at server level, replaced in a location
    server {
        listen 127.0.0.1:%%PORT2%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;
        auth_jwt_issuer https://a.example.com;
        auth_jwt_key "$secret";

        location / {
            return 200 "$backend";
        }
        location /srv/ {
            auth_jwt on;
            location /srv/own/ { auth_jwt_issuer https://c.example.com; }
        }
    }
}
EOF
$t->start;

sub tok { jwt('HS256', $secret, {@_}) }

# A 401 from a policy check: status, $jwt_result, invalid_token challenge,
# one info line with the code (JwtTest::auth_is checks the log line).
sub refused_401
{
    my ($path, $token, $code, $name) = @_;
    $t->auth_is($path, $token, 401, $code, $name);
    my ($st, $h) = $t->http_get($path, Authorization => "Bearer $token");
    is($h->{'www-authenticate'}, 'Bearer realm="policy", error="invalid_token"',
       "$name: invalid_token challenge");
}

# Issuer.
my %A = (iss => 'https://a.example.com');
$t->auth_is('/iss/ok', tok(%A), 200, 'ok', 'iss: first accepted issuer');
$t->auth_is('/iss/ok', tok(iss => 'https://b.example.com'), 200, 'ok',
            'iss: second accepted issuer');
refused_401('/iss/ok', tok(iss => 'https://c.example.com'), 'issuer_mismatch',
            'iss: another issuer');
refused_401('/iss/ok', tok(), 'issuer_mismatch', 'iss: missing');
refused_401('/iss/ok', tok(iss => 'https://A.example.com'),
            'issuer_mismatch', 'iss: case-sensitive');
refused_401('/iss/ok', tok(iss => 'https://a.example.com/'),
            'issuer_mismatch', 'iss: trailing slash differs');
refused_401('/iss/ok', tok(iss => ['https://a.example.com']),
            'issuer_mismatch', 'iss: an array is not a string');
$t->auth_is('/plain/ok', tok(iss => 'anything'), 200, 'ok',
            'iss: not checked where not configured');

# Audience.
$t->auth_is('/aud/ok', tok(aud => 'api'), 200, 'ok', 'aud: string');
$t->auth_is('/aud/ok', tok(aud => 'web'), 200, 'ok', 'aud: second value');
$t->auth_is('/aud/ok', tok(aud => ['other', 'web']), 200, 'ok',
            'aud: array naming one');
refused_401('/aud/ok', tok(aud => 'other'), 'audience_mismatch',
            'aud: another audience');
refused_401('/aud/ok', tok(aud => ['x', 'y']), 'audience_mismatch',
            'aud: array naming none');
refused_401('/aud/ok', tok(aud => []), 'audience_mismatch',
            'aud: empty array');
refused_401('/aud/ok', tok(), 'audience_mismatch', 'aud: missing');
refused_401('/aud/ok', tok(aud => 'API'), 'audience_mismatch',
            'aud: case-sensitive');

$t->auth_is('/both/ok', tok(%A, aud => 'api'), 200, 'ok',
            'iss and aud: both match');
refused_401('/both/ok', tok(%A, aud => 'web'), 'audience_mismatch',
            'iss and aud: audience wrong');
refused_401('/both/ok', tok(iss => 'x', aud => 'api'), 'issuer_mismatch',
            'iss and aud: issuer wrong');

# Inheritance: server-level issuer, replaced in a nested location.
{
    my $p2 = sub {
        my ($path, $token) = @_;
        my ($st, $h) = $t->http("GET $path HTTP/1.1\r\nHost: localhost\r\n"
                                . "Connection: close\r\n"
                                . "Authorization: Bearer $token\r\n\r\n",
                                port => $t->port2);
        return ($st, $h->{'x-jwt-result'});
    };
    is_deeply([$p2->('/srv/ok', tok(%A))], [200, 'ok'],
              'server-level issuer inherited: holds');
    is_deeply([$p2->('/srv/ok', tok(iss => 'https://c.example.com'))],
              [401, 'issuer_mismatch'],
              'server-level issuer inherited: another issuer refused');
    is_deeply([$p2->('/srv/own/ok', tok(iss => 'https://c.example.com'))],
              [200, 'ok'], 'location issuer replaces the server\'s');
    is_deeply([$p2->('/srv/own/ok', tok(%A))], [401, 'issuer_mismatch'],
              'location issuer: the server\'s issuer no longer accepted');
}

# Forged tokens are refused for their signature, whatever their issuer.
$t->auth_is('/iss/ok', tamper_sig(tok(iss => 'https://c.example.com')), 401,
            'bad_signature', 'iss: forged token reports bad_signature');

# Max lifetime and iat.
my $now = time;
$t->auth_is('/life/ok', tok(iat => $now, exp => $now + 3600), 200, 'ok',
            'lifetime: exactly the maximum');
$t->auth_is('/life/ok', tok(iat => $now - 60, exp => $now + 600), 200, 'ok',
            'lifetime: short');
refused_401('/life/ok', tok(iat => $now, exp => $now + 3601),
            'lifetime_too_long', 'lifetime: one second too long');
refused_401('/life/ok', tok(iat => $now - 86400, exp => $now + 60),
            'lifetime_too_long', 'lifetime: old iat, still valid exp');
refused_401('/life/ok', tok(exp => $now + 60), 'missing_iat',
            'lifetime: no iat while max_lifetime is set');
$t->auth_is('/plain/ok', tok(exp => $now + 60), 200, 'ok',
            'no iat without max_lifetime: accepted');
$t->auth_is('/plain/ok', tok(iat => $now - 86400, exp => $now + 86400 * 30),
            200, 'ok', 'long lifetime without max_lifetime: accepted');

refused_401('/plain/ok', tok(iat => $now + 120), 'iat_in_future',
            'iat in the future, no max_lifetime');
refused_401('/life/ok', tok(iat => $now + 120, exp => $now + 600),
            'iat_in_future', 'iat in the future, max_lifetime set');
$t->auth_is('/leeway/ok', tok(iat => $now + 30), 200, 'ok',
            'iat in the future within the leeway');
refused_401('/leeway/ok', tok(iat => $now + 300), 'iat_in_future',
            'iat in the future beyond the leeway');
$t->auth_is('/life/leeway/ok', tok(iat => $now + 30, exp => $now + 600), 200,
            'ok', 'max_lifetime inherited with leeway: iat within leeway');
refused_401('/life/leeway/ok', tok(iat => $now, exp => $now + 7200),
            'lifetime_too_long', 'max_lifetime inherited by a nested location');

# auth_jwt_require with a map on a claim.
refused_401('/req/ok', tok(role => 'user'), 'require_failed',
            'require: map gives 0');
refused_401('/req/ok', tok(), 'require_failed', 'require: claim absent');
$t->auth_is('/req/ok', tok(role => 'admin'), 200, 'ok', 'require: map gives 1');

$t->auth_is('/req2/ok', tok(role => 'admin', email => 'a@example.com'),
            200, 'ok', 'require two values: both set');
refused_401('/req2/ok', tok(role => 'admin'), 'require_failed',
            'require two values: second empty');
refused_401('/req2/ok', tok(role => 'user', email => 'a@example.com'),
            'require_failed', 'require two values: first "0"');
{
    my $mark = $t->log_mark;
    $t->http_get('/req2/ok', Authorization => 'Bearer ' . tok(role => 'admin'));
    like($t->log_since($mark), qr/auth_jwt: .*"\$jwt_claim_email".*require_failed/,
         'require: the log line names the failed value');
}

{
    my ($st, $h) = $t->http_get('/req403/ok',
                                Authorization => 'Bearer ' . tok(role => 'x'));
    is($st, 403, 'require error=403: 403');
    is($h->{'www-authenticate'},
       'Bearer realm="policy", error="insufficient_scope"',
       'require error=403: insufficient_scope');
    is($h->{'x-jwt-result'}, 'require_failed',
       'require error=403: require_failed');
}

$t->auth_is('/reqfalse/ok', tok(verified => JSON::PP::true), 200, 'ok',
            'require: "true" holds');
$t->auth_is('/reqfalse/ok', tok(verified => JSON::PP::false), 200, 'ok',
            'require: "false" is non-empty and not "0", so it holds');
$t->auth_is('/reqfalse/ok', tok(verified => 'yes'), 200, 'ok',
            'require: any other string holds');
refused_401('/reqfalse/ok', tok(verified => 0), 'require_failed',
            'require: the number 0 is "0"');
refused_401('/reqfalse/ok', tok(verified => '0'), 'require_failed',
            'require: the string "0"');
refused_401('/reqfalse/ok', tok(verified => ''), 'require_failed',
            'require: empty string');
$t->auth_is('/reqfalse/ok', tok(verified => '00'), 200, 'ok',
            'require: "00" is not "0"');

# auth_jwt_claim_set / auth_jwt_header_set.
my %claims = (
    realm_access => {roles => ['user', 'admin']},
    stats        => {level => 3},
    'a.b'        => 'literal',
    a            => {b => 'nested'},
    info         => {note => "x\r\ny"},
);
my $tok = jwt('HS256', $secret, \%claims,
              {kid => 'k1', ext => {tenant => 't1'}});

sub backend_vars
{
    my ($body) = @_;
    return { map { /^([^=]+)=(.*)$/ ? ($1 => $2) : () } split /\n/, $body };
}

my ($st, $h, $body) = $t->http_get('/api/x', Authorization => "Bearer $tok");
is($st, 200, 'claim_set: proxied');
my $v = backend_vars($body);
is($v->{roles}, 'user,admin', 'claim_set: nested array joined by ","');
is($v->{ra}, '{"roles":["user","admin"]}', 'claim_set: object as compact JSON');
is($v->{sub}, 'alice', 'claim_set: a top-level claim');
is($v->{level}, '3', 'claim_set: nested number');
is($v->{dotted}, 'literal',
   'claim_set: one argument is one member name, dots included');
like($v->{ctl} // '', qr/^x\\u000[dD]\\u000[aA]y$/,
     'claim_set: control characters escaped');
is($v->{missing}, '', 'claim_set: missing member is empty');
is($v->{hkid}, 'k1', 'header_set: top-level member');
is($v->{hext}, 't1', 'header_set: nested member');
is($v->{halg}, 'HS256', 'header_set: alg');

($st, $h) = $t->http_get('/vars/ok', Authorization => "Bearer $tok");
is($h->{'x-roles'}, 'user,admin', 'claim_set in add_header');
is($h->{'x-hkid'}, 'k1', 'header_set in add_header');

# Nothing from a token that did not verify.
for my $case (['forged', tamper_sig($tok), 'bad_signature'],
              ['expired', jwt('HS256', $secret, {%claims, exp => time - 60},
                              {kid => 'k1', ext => {tenant => 't1'}}),
               'expired'])
{
    my ($name, $bad, $code) = @$case;
    ($st, $h) = $t->http_get('/vars/ok', Authorization => "Bearer $bad");
    is($st, 401, "$name token: 401");
    is($h->{'x-jwt-result'}, $code, "$name token: $code");
    is($h->{'x-roles'} // '', '', "$name token: claim_set variable empty");
    is($h->{'x-hkid'} // '', '', "$name token: header_set variable empty");
}
($st, $h) = $t->http_get('/vars/ok');
is($h->{'x-roles'} // '', '', 'no token: claim_set variable empty');

$t->stop;

done_testing;
