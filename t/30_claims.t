# auth_jwt_claims: every rule form, dotted paths, arrays, numbers and
# booleans, variables in VALUE, error=401 and 403 with their challenges and
# log line, AND across rules and directives, inheritance and override
# across http/server/location, and limit_except.

use strict;
use warnings;

use Test::More;
use JSON::PP ();

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'claims-test-secret-' . ('c' x 45);

# location => the arguments of its auth_jwt_claims (as written in the conf)
my %rules = (
    present  => '"email"',
    eq       => '"role=admin"',
    num      => '"level=3"',
    numfrac  => '"level=2.5"',
    bool     => '"admin=true"',
    false    => '"admin=false"',
    null     => '"gone=null"',
    arr      => '"groups=staff"',
    arrnum   => '"nums=2"',
    ne       => '"role!=guest"',
    word     => '"scope~=read"',
    lt       => '"level<3"',
    le       => '"level<=3"',
    gt       => '"level>3"',
    ge       => '"level>=3"',
    neg      => '"level>-1.5"',
    path     => '"realm_access.roles~=admin"',
    dash     => '"resource_access.my-app.roles~=editor"',
    deep     => '"a.b.c=1"',
    var      => '"tenant=$arg_t"',
    host     => '"aud=$host"',
    varnum   => '"level>=$arg_min"',
    varpart  => '"team=dev-$arg_t"',
    and      => '"role=admin" "scope~=write"',
    e401     => '"role=admin" error=401',
    e403     => '"role=admin" error=403',
);

my $locations = join '', map {
    "        location /$_/ { auth_jwt_claims $rules{$_}; }\n"
} sort keys %rules;

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n")
    for keys(%rules), qw(two mixed mixed2),
        qw(inherit override server loc deep2 deep2/inner deep2/inner/x),
        qw(off);

$t->write_conf(<<"EOF");
http {
    # an http-level rule, inherited by every server that sets none
    auth_jwt_claims "sub";

    server {
        listen 127.0.0.1:%%PORT%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;
        auth_jwt "claims";
        auth_jwt_key "$secret";

$locations
        # two directives at one level: both hold (AND)
        location /two/ {
            auth_jwt_claims "role=admin";
            auth_jwt_claims "level>=2";
        }

        # each directive answers with its own code
        location /mixed/ {
            auth_jwt_claims "role=admin";
            auth_jwt_claims "level>=5" error=401;
        }
        location /mixed2/ {
            auth_jwt_claims "level>=5" error=401;
            auth_jwt_claims "role=admin";
        }

        # inheritance from http
        location /inherit/ { }
        location /override/ { auth_jwt_claims "role=admin"; }
        location /deep2/ {
            auth_jwt_claims "role=admin";
            location /deep2/inner/ { }
        }

        # auth_jwt off: no rules either
        location /off/ { auth_jwt off; }

        # GET (and HEAD) with any valid token, other methods need admin
        location /limit/ {
            limit_except GET { auth_jwt_claims "role=admin"; }
            proxy_pass http://127.0.0.1:%%PORT2%%/;
        }

        # the rule in limit_except replaces the location's
        location /limit2/ {
            auth_jwt_claims "level>=1";
            limit_except GET { auth_jwt_claims "role=admin" error=401; }
            proxy_pass http://127.0.0.1:%%PORT2%%/;
        }
    }

    # a server-level rule replaces the http-level one
    server {
        listen 127.0.0.1:%%PORT2%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;

        location / {
            return 200 "backend \$request_method\\n";
        }

        location /server/ {
            auth_jwt on;
            auth_jwt_key "$secret";
            auth_jwt_claims "level>=2";
            location /server/loc/ { auth_jwt_claims "level>=5"; }
        }
    }
}
EOF
$t->write_file("html/server/ok", "ok\n");
$t->write_file("html/server/loc/ok", "ok\n");
$t->start;

sub tok { jwt('HS256', $secret, {@_}) }

# Passes: 200 and $jwt_result "ok".
sub passes
{
    my ($path, $token, $name, %opt) = @_;
    my ($st, $h) = $t->http("GET $path HTTP/1.1\r\nHost: localhost\r\n"
                            . "Connection: close\r\n"
                            . "Authorization: Bearer $token\r\n\r\n",
                            %opt);
    is($st, 200, "$name: 200");
    is($h->{'x-jwt-result'}, 'ok', "$name: \$jwt_result ok");
}

# Refused by a rule: the status, $jwt_result, the RFC 6750 challenge for
# that status, and one info line that names the failed rule.
sub refused
{
    my ($path, $token, $status, $rule, $name, %opt) = @_;
    my $mark = $t->log_mark;
    my ($st, $h) = $t->http("GET $path HTTP/1.1\r\nHost: localhost\r\n"
                            . "Connection: close\r\n"
                            . "Authorization: Bearer $token\r\n\r\n",
                            %opt);
    is($st, $status, "$name: $status");
    is($h->{'x-jwt-result'}, 'claim_rule_failed',
       "$name: \$jwt_result claim_rule_failed");
    my $realm = $opt{realm} // 'claims';
    my $error = $status == 403 ? 'insufficient_scope' : 'invalid_token';
    my $challenge = $realm eq '' ? qq{Bearer error="$error"}
                  : qq{Bearer realm="$realm", error="$error"};
    is($h->{'www-authenticate'}, $challenge, "$name: challenge");

    my @lines = grep { /auth_jwt:/ } split /\n/, $t->log_since($mark);
    ok(@lines == 1 && $lines[0] =~ /\[info\]/
       && index($lines[0], qq{"$rule"}) >= 0
       && $lines[0] =~ /claim_rule_failed/,
       "$name: one info line naming \"$rule\"")
        or diag(@lines ? join "\n", @lines : 'no auth_jwt line');
}

# NAME: present and not null.
passes('/present/ok', tok(email => 'a@example.com'), 'present: string');
passes('/present/ok', tok(email => 0), 'present: 0 counts as present');
passes('/present/ok', tok(email => ''), 'present: empty string is present');
refused('/present/ok', tok(), 403, 'email', 'present: absent');
refused('/present/ok', tok(email => undef), 403, 'email',
        'present: left out');
{
    my $null = sign_raw('HS256', $secret, '{"alg":"HS256"}',
                        '{"sub":"a","email":null,"exp":' . (time + 300) . '}');
    refused('/present/ok', $null, 403, 'email', 'present: null');
}

# NAME=VALUE on strings.
passes('/eq/ok', tok(role => 'admin'), 'eq: equal string');
refused('/eq/ok', tok(role => 'user'), 403, 'role=admin', 'eq: other string');
refused('/eq/ok', tok(role => 'Admin'), 403, 'role=admin',
        'eq: case-sensitive');
refused('/eq/ok', tok(role => 'admin '), 403, 'role=admin',
        'eq: trailing space differs');
refused('/eq/ok', tok(), 403, 'role=admin', 'eq: absent');
refused('/eq/ok', tok(role => {name => 'admin'}), 403, 'role=admin',
        'eq: object never equals');

# Numbers compare as JSON values.
passes('/num/ok', tok(level => 3), 'num: 3 = 3');
{
    my $frac = sign_raw('HS256', $secret, '{"alg":"HS256"}',
                        '{"sub":"a","level":3.0,"exp":' . (time + 300) . '}');
    passes('/num/ok', $frac, 'num: 3.0 = 3');
    my $exp = sign_raw('HS256', $secret, '{"alg":"HS256"}',
                       '{"sub":"a","level":0.3e1,"exp":' . (time + 300) . '}');
    passes('/num/ok', $exp, 'num: 0.3e1 = 3');
}
passes('/num/ok', tok(level => '3'), 'num: string "3" equals text "3"');
refused('/num/ok', tok(level => 4), 403, 'level=3', 'num: 4 != 3');
refused('/num/ok', tok(level => '3.0'), 403, 'level=3',
        'num: string "3.0" is text, not 3');
refused('/num/ok', tok(level => JSON::PP::true), 403, 'level=3',
        'num: boolean is not 3');
passes('/numfrac/ok', tok(level => 2.5), 'numfrac: 2.5 = 2.5');
refused('/numfrac/ok', tok(level => 2), 403, 'level=2.5', 'numfrac: 2');

# Booleans and null.
passes('/bool/ok', tok(admin => JSON::PP::true), 'bool: true = true');
refused('/bool/ok', tok(admin => JSON::PP::false), 403, 'admin=true',
        'bool: false != true');
refused('/bool/ok', tok(admin => 1), 403, 'admin=true', 'bool: 1 != true');
passes('/false/ok', tok(admin => JSON::PP::false), 'bool: false = false');
refused('/false/ok', tok(admin => 0), 403, 'admin=false',
        'bool: 0 != false');
refused('/false/ok', tok(), 403, 'admin=false', 'bool: absent != false');
{
    my $null = sign_raw('HS256', $secret, '{"alg":"HS256"}',
                        '{"sub":"a","gone":null,"exp":' . (time + 300) . '}');
    passes('/null/ok', $null, 'null: null = null');
}
refused('/null/ok', tok(gone => 'x'), 403, 'gone=null', 'null: string');
refused('/null/ok', tok(), 403, 'gone=null', 'null: absent is not null');

# Arrays: "=" holds when an element equals VALUE.
passes('/arr/ok', tok(groups => ['dev', 'staff']), 'arr: contains');
refused('/arr/ok', tok(groups => ['dev', 'ops']), 403, 'groups=staff',
        'arr: does not contain');
refused('/arr/ok', tok(groups => []), 403, 'groups=staff', 'arr: empty');
refused('/arr/ok', tok(groups => [['staff']]), 403, 'groups=staff',
        'arr: nested array not searched');
passes('/arrnum/ok', tok(nums => [1, 2, 3]), 'arrnum: number element');
refused('/arrnum/ok', tok(nums => [1, 3]), 403, 'nums=2',
        'arrnum: missing element');

# NAME!=VALUE: the negation, true when absent.
passes('/ne/ok', tok(role => 'user'), 'ne: other value');
passes('/ne/ok', tok(), 'ne: absent');
passes('/ne/ok', tok(role => ['user', 'dev']), 'ne: array without it');
refused('/ne/ok', tok(role => 'guest'), 403, 'role!=guest', 'ne: equal');
refused('/ne/ok', tok(role => ['user', 'guest']), 403, 'role!=guest',
        'ne: array holding it');

# NAME~=VALUE: a word of a space-separated string, or an array element.
passes('/word/ok', tok(scope => 'read'), 'word: the only word');
passes('/word/ok', tok(scope => 'openid read write'), 'word: middle word');
passes('/word/ok', tok(scope => 'write read'), 'word: last word');
passes('/word/ok', tok(scope => ['write', 'read']), 'word: array element');
refused('/word/ok', tok(scope => 'reader write'), 403, 'scope~=read',
        'word: prefix of a word');
refused('/word/ok', tok(scope => 'write unread'), 403, 'scope~=read',
        'word: suffix of a word');
refused('/word/ok', tok(scope => 'read:all'), 403, 'scope~=read',
        'word: no partial match');
refused('/word/ok', tok(scope => ['read write']), 403, 'scope~=read',
        'word: array element must equal, not hold the word');
refused('/word/ok', tok(scope => ''), 403, 'scope~=read', 'word: empty');
refused('/word/ok', tok(), 403, 'scope~=read', 'word: absent');
refused('/word/ok', tok(scope => {read => 1}), 403, 'scope~=read',
        'word: object');

# Numeric comparisons.
my %cmp = (lt => [2, 3, '<3'], le => [3, 4, '<=3'], gt => [4, 3, '>3'],
           ge => [3, 2, '>=3']);
for my $loc (sort keys %cmp) {
    my ($yes, $no, $op) = @{ $cmp{$loc} };
    passes("/$loc/ok", tok(level => $yes), "level$op: $yes holds");
    refused("/$loc/ok", tok(level => $no), 403, "level$op",
            "level$op: $no does not");
    refused("/$loc/ok", tok(level => "$yes"), 403, "level$op",
            "level$op: string \"$yes\" is not a number");
    refused("/$loc/ok", tok(), 403, "level$op", "level$op: absent");
    refused("/$loc/ok", tok(level => [$yes]), 403, "level$op",
            "level$op: array is not a number");
}
passes('/lt/ok', tok(level => 2.999), 'level<3: 2.999');
passes('/lt/ok', tok(level => -100), 'level<3: negative');
passes('/ge/ok', tok(level => 1e10), 'level>=3: 1e10');
passes('/neg/ok', tok(level => -1), 'level>-1.5: -1');
refused('/neg/ok', tok(level => -2), 403, 'level>-1.5', 'level>-1.5: -2');

# Dotted paths into nested objects.
passes('/path/ok', tok(realm_access => {roles => ['user', 'admin']}),
       'path: nested array holds it');
refused('/path/ok', tok(realm_access => {roles => ['user']}), 403,
        'realm_access.roles~=admin', 'path: nested array lacks it');
refused('/path/ok', tok(realm_access => 'admin'), 403,
        'realm_access.roles~=admin', 'path: crosses a string');
refused('/path/ok', tok('realm_access.roles' => ['admin']), 403,
        'realm_access.roles~=admin', 'path: a dotted top-level name is not it');
refused('/path/ok', tok(roles => ['admin']), 403,
        'realm_access.roles~=admin', 'path: top-level roles is not it');
passes('/dash/ok',
       tok(resource_access => {'my-app' => {roles => ['editor']}}),
       'dash: "-" in a segment');
refused('/dash/ok',
        tok(resource_access => {'other-app' => {roles => ['editor']}}), 403,
        'resource_access.my-app.roles~=editor', 'dash: another client');
passes('/deep/ok', tok(a => {b => {c => 1}}), 'deep: a.b.c=1');
refused('/deep/ok', tok(a => {b => {c => 2}}), 403, 'a.b.c=1',
        'deep: a.b.c=2');
refused('/deep/ok', tok(a => {b => [{c => 1}]}), 403, 'a.b.c=1',
        'deep: arrays are not crossed');

# Variables in VALUE.
passes('/var/ok?t=acme', tok(tenant => 'acme'), 'var: $arg_t matches');
refused('/var/ok?t=other', tok(tenant => 'acme'), 403, 'tenant=$arg_t',
        'var: $arg_t differs');
refused('/var/ok', tok(tenant => 'acme'), 403, 'tenant=$arg_t',
        'var: $arg_t empty');
passes('/host/ok', tok(aud => 'localhost'), 'var: aud=$host');
passes('/host/ok', tok(aud => ['api', 'localhost']), 'var: aud array');
refused('/host/ok', tok(aud => 'example.com'), 403, 'aud=$host',
        'var: aud is another host');
passes('/varnum/ok?min=3', tok(level => 3), 'var: level>=$arg_min');
refused('/varnum/ok?min=4', tok(level => 3), 403, 'level>=$arg_min',
        'var: level<$arg_min');
refused('/varnum/ok?min=abc', tok(level => 3), 403, 'level>=$arg_min',
        'var: a non-number operand at run time fails the rule');
passes('/varpart/ok?t=x', tok(team => 'dev-x'), 'var: inside a VALUE');
refused('/varpart/ok?t=y', tok(team => 'dev-x'), 403, 'team=dev-$arg_t',
        'var: inside a VALUE, differs');

# All rules must hold: one directive with two rules, two directives.
passes('/and/ok', tok(role => 'admin', scope => 'read write'),
       'and: both hold');
refused('/and/ok', tok(role => 'user', scope => 'write'), 403, 'role=admin',
        'and: the first fails');
refused('/and/ok', tok(role => 'admin', scope => 'read'), 403,
        'scope~=write', 'and: the second fails');
passes('/two/ok', tok(role => 'admin', level => 2), 'two: both directives');
refused('/two/ok', tok(role => 'admin', level => 1), 403, 'level>=2',
        'two: the second directive fails');
refused('/two/ok', tok(role => 'user', level => 9), 403, 'role=admin',
        'two: the first directive fails');

# error=401 and error=403.
refused('/e401/ok', tok(role => 'user'), 401, 'role=admin',
        'error=401: invalid_token');
passes('/e401/ok', tok(role => 'admin'), 'error=401: passes');
refused('/e403/ok', tok(role => 'user'), 403, 'role=admin',
        'error=403: insufficient_scope');
refused('/mixed/ok', tok(role => 'user', level => 9), 403, 'role=admin',
        'mixed: the 403 rule fails');
refused('/mixed/ok', tok(role => 'admin', level => 1), 401, 'level>=5',
        'mixed: the 401 rule fails');
refused('/mixed2/ok', tok(role => 'user', level => 1), 401, 'level>=5',
        'mixed2: the first failing rule decides');

# A rule applies only to a valid token: a bad one is still 401 without a
# rule being named.
{
    my ($st, $h) = $t->http_get('/eq/ok', Authorization => 'Bearer '
                                . tamper_sig(tok(role => 'admin')));
    is($st, 401, 'forged admin token: 401');
    is($h->{'x-jwt-result'}, 'bad_signature', 'forged: bad_signature');
    ($st, $h) = $t->http_get('/eq/ok');
    is($st, 401, 'no token: 401');
    is($h->{'www-authenticate'}, 'Bearer realm="claims"',
       'no token: plain challenge');
}

# Inheritance and override.
passes('/inherit/ok', tok(), 'http-level rule "sub" inherited: holds');
refused('/inherit/ok', tok(sub => undef), 403, 'sub',
        'http-level rule "sub" inherited: fails');
passes('/override/ok', tok(sub => undef, role => 'admin'),
       'location rule replaces the http-level one');
refused('/override/ok', tok(role => 'user'), 403, 'role=admin',
        'location rule applies');
passes('/deep2/inner/ok', tok(role => 'admin'),
       'nested location inherits its parent\'s rule: holds');
refused('/deep2/inner/ok', tok(role => 'user'), 403, 'role=admin',
        'nested location inherits its parent\'s rule: fails');
{
    my ($st) = $t->http_get('/off/ok');
    is($st, 200, 'auth_jwt off: no token needed, no rule applied');
}

my %p2 = (port => $t->port2, realm => '');
passes('/server/ok', tok(sub => undef, level => 2),
       'server rule replaces the http-level one', %p2);
refused('/server/ok', tok(level => 1), 403, 'level>=2',
        'server rule applies', %p2);
passes('/server/loc/ok', tok(level => 5), 'location below server: holds',
       %p2);
refused('/server/loc/ok', tok(level => 3), 403, 'level>=5',
        'location rule replaces the server rule', %p2);

# limit_except: GET and HEAD as the location says, other methods as the
# limit_except block says.
sub request
{
    my ($method, $path, $token) = @_;
    my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\nContent-Length: 0\r\n";
    $req .= "Authorization: Bearer $token\r\n" if defined $token;
    return $t->http("$req\r\n");
}

my $user = tok(role => 'user', level => 1);
my $admin = tok(role => 'admin', level => 1);
my ($st, $h, $body) = request('GET', '/limit/x', $user);
is($st, 200, 'limit_except: GET with any valid token');
is($body, "backend GET\n", 'limit_except: GET proxied');
($st) = request('HEAD', '/limit/x', $user);
is($st, 200, 'limit_except: HEAD with any valid token');
($st, $h) = request('POST', '/limit/x', $user);
is($st, 403, 'limit_except: POST by a user: 403');
is($h->{'www-authenticate'}, 'Bearer realm="claims", error="insufficient_scope"',
   'limit_except: POST by a user: insufficient_scope');
is($h->{'x-jwt-result'}, 'claim_rule_failed',
   'limit_except: POST by a user: claim_rule_failed');
($st, $h, $body) = request('POST', '/limit/x', $admin);
is($st, 200, 'limit_except: POST by an admin');
is($body, "backend POST\n", 'limit_except: POST proxied');
($st) = request('DELETE', '/limit/x', $user);
is($st, 403, 'limit_except: DELETE by a user: 403');
($st, $h) = request('POST', '/limit/x');
is($st, 401, 'limit_except: POST without a token: 401');
($st) = request('GET', '/limit/x');
is($st, 401, 'limit_except: GET without a token: 401');

($st) = request('GET', '/limit2/x', $user);
is($st, 200, 'limit_except: GET keeps the location rule (holds)');
($st) = request('GET', '/limit2/x', tok(role => 'admin', level => 0));
is($st, 403, 'limit_except: GET keeps the location rule (fails)');
($st, $h) = request('POST', '/limit2/x', tok(role => 'admin', level => 0));
is($st, 200, 'limit_except: its rule replaces the location rule');
($st, $h) = request('POST', '/limit2/x', $user);
is($st, 401, 'limit_except: error=401 inside limit_except');
is($h->{'www-authenticate'}, 'Bearer realm="claims", error="invalid_token"',
   'limit_except: error=401 challenge');

$t->stop;

done_testing;
