# Claims read before the access phase: "if", "set" and "return" in the
# rewrite phase, limit_req keyed on a claim in the preaccess phase, a claim
# in proxy_pass, satisfy any with allow/deny and claim rules, and the
# nginx -t warning for a "return" that makes auth_jwt useless.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'phases-test-secret-' . ('f' x 45);

my $t = JwtTest->new;
$t->write_file("html/$_/ok", "ok\n")
    for qw(ifeq ifban set setrule limited anydeny anyallow allrule);

$t->write_conf(<<"EOF");
limit_req_zone \$jwt_claim_sub zone=per_sub:1m rate=1r/m;

map \$jwt_claim_role \$role_class {
    admin    staff;
    default  other;
}

server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    add_header X-Jwt-Result \$jwt_result always;
    auth_jwt "phases";
    auth_jwt_key "$secret";

    # "if" runs in the rewrite phase, before the access check: it answers
    # first, whatever the token
    location /ifeq/ {
        if (\$jwt_claim_role != "admin") {
            return 403;
        }
    }

    # only a positive condition answers early; no token still gets 401
    location /ifban/ {
        if (\$jwt_claim_role = "banned") {
            return 451;
        }
        if (\$role_class = "staff") {
            add_header X-Class staff always;
        }
    }

    location /set/ {
        set \$who \$jwt_claim_sub;
        set \$greeting "hello \$jwt_claim_sub";
        add_header X-Who \$who always;
        add_header X-Greeting \$greeting always;
        add_header X-Jwt-Result \$jwt_result always;
    }

    # a claim read early does not skip the rules of the access check
    location /setrule/ {
        set \$who \$jwt_claim_sub;
        auth_jwt_claims "role=admin";
    }

    location /limited/ {
        limit_req zone=per_sub;    # burst 0: the second request is refused
    }

    location /tenant/ {
        proxy_pass http://127.0.0.1:%%PORT2%%/\$jwt_claim_tenant/;
    }

    location /anydeny/ {
        satisfy any;
        deny all;
        auth_jwt_claims "role=admin";
    }
    location /anyallow/ {
        satisfy any;
        allow 127.0.0.1;
        deny all;
        auth_jwt_claims "role=admin";
    }
    location /allrule/ {
        allow 127.0.0.1;
        deny all;
        auth_jwt_claims "role=admin";
    }
}

server {
    listen 127.0.0.1:%%PORT2%%;
    location / {
        return 200 "uri=\$request_uri\\n";
    }
}
EOF
$t->start;

sub tok { jwt('HS256', $secret, {@_}) }
sub bearer { (Authorization => 'Bearer ' . $_[0]) }

my $admin = tok(role => 'admin');
my $user = tok(role => 'user');
my ($st, $h, $body);

# if.
($st) = $t->http_get('/ifeq/ok', bearer($admin));
is($st, 200, 'if !=: admin passes');
($st) = $t->http_get('/ifeq/ok', bearer($user));
is($st, 403, 'if !=: user answered by return 403');
($st) = $t->http_get('/ifeq/ok', bearer(tamper_payload($admin,
                                                       {role => 'admin',
                                                        exp => time + 60})));
is($st, 403, 'if !=: a forged admin claim is empty in the rewrite phase');
($st) = $t->http_get('/ifeq/ok');
is($st, 403, 'if !=: no token: the rewrite phase answers before access');

($st) = $t->http_get('/ifban/ok', bearer(tok(role => 'banned')));
is($st, 451, 'if =: the claim matches, return in the rewrite phase');
($st, $h) = $t->http_get('/ifban/ok', bearer($user));
is($st, 200, 'if =: another claim passes');
($st, $h) = $t->http_get('/ifban/ok');
is($st, 401, 'if =: no token: the access check still answers 401');
is($h->{'x-jwt-result'}, 'missing', 'if =: no token: missing');
($st, $h) = $t->http_get('/ifban/ok', bearer($admin));
is($st, 200, 'if on a map of a claim: admin passes');
is($h->{'x-class'}, 'staff', 'if on a map of a claim: branch taken');
($st) = $t->http_get('/ifban/ok', bearer(tamper_sig(tok(role => 'banned'))));
is($st, 401, 'if =: forged token: claim empty, then 401');

# set.
($st, $h) = $t->http_get('/set/ok', bearer(tok(sub => 'bob')));
is($st, 200, 'set: valid token');
is($h->{'x-who'}, 'bob', 'set: claim copied in the rewrite phase');
is($h->{'x-greeting'}, 'hello bob', 'set: claim inside a string');
is($h->{'x-jwt-result'}, 'ok', 'set: $jwt_result ok');
($st, $h) = $t->http_get('/set/ok', bearer(tamper_sig(tok(sub => 'bob'))));
is($st, 401, 'set: forged token still refused by the access check');
is($h->{'x-who'} // '', '', 'set: nothing copied from a forged token');

($st) = $t->http_get('/setrule/ok', bearer($user));
is($st, 403, 'set then rules: the rule still applies');
($st) = $t->http_get('/setrule/ok', bearer($admin));
is($st, 200, 'set then rules: the rule holds');

# limit_req keyed on $jwt_claim_sub (preaccess phase, before access).
my $alice = tok(sub => 'alice-limit');
($st) = $t->http_get('/limited/ok', bearer($alice));
is($st, 200, 'limit_req: first request of a sub');
($st) = $t->http_get('/limited/ok', bearer($alice));
is($st, 503, 'limit_req: second request of the same sub: 503');
($st) = $t->http_get('/limited/ok', bearer(tok(sub => 'alice-limit',
                                               role => 'x')));
is($st, 503, 'limit_req: another token of the same sub: 503');
($st) = $t->http_get('/limited/ok', bearer(tok(sub => 'bob-limit')));
is($st, 200, 'limit_req: a different sub is not limited');
($st) = $t->http_get('/limited/ok', bearer(tamper_sig(tok(sub => 'carol'))));
is($st, 401, 'limit_req: forged token: empty key, then 401');
($st) = $t->http_get('/limited/ok', bearer(tok(sub => 'carol')));
is($st, 200, 'limit_req: the forged request did not use carol\'s budget');
($st) = $t->http_get('/limited/ok');
is($st, 401, 'limit_req: no token: empty key, then 401');
($st) = $t->http_get('/limited/ok');
is($st, 401, 'limit_req: no token again: still 401, not 503');

# proxy_pass on a claim.
($st, $h, $body) = $t->http_get('/tenant/x', bearer(tok(tenant => 'acme')));
is($st, 200, 'proxy_pass on a claim: proxied');
is($body, "uri=/acme/\n", 'proxy_pass on a claim: tenant in the URI');
($st, $h, $body) = $t->http_get('/tenant/x', bearer(tok(tenant => 'globex')));
is($body, "uri=/globex/\n", 'proxy_pass on a claim: another tenant');
($st, $h, $body) = $t->http_get('/tenant/x',
                                bearer(tamper_sig(tok(tenant => 'acme'))));
is($st, 401, 'proxy_pass on a claim: forged token not proxied');

# satisfy any with allow/deny.
($st) = $t->http_get('/anydeny/ok', bearer($admin));
is($st, 200, 'satisfy any, deny all: a token holding the rule');
($st, $h) = $t->http_get('/anydeny/ok', bearer($user));
is($st, 403, 'satisfy any, deny all: a token failing the rule: 403');
is($h->{'x-jwt-result'}, 'claim_rule_failed',
   'satisfy any, deny all: claim_rule_failed');
($st, $h) = $t->http_get('/anydeny/ok');
is($st, 401, 'satisfy any, deny all: no token: 401');
is($h->{'www-authenticate'}, 'Bearer realm="phases"',
   'satisfy any, deny all: no token: challenge');

($st, $h) = $t->http_get('/anyallow/ok');
is($st, 200, 'satisfy any, allowed address: no token needed');
ok(!exists $h->{'www-authenticate'}, 'satisfy any, allowed: no challenge');
($st, $h) = $t->http_get('/anyallow/ok', bearer($user));
is($st, 200, 'satisfy any, allowed address: a failed rule does not matter');
ok(!exists $h->{'www-authenticate'},
   'satisfy any, allowed: no insufficient_scope challenge on 200');

($st) = $t->http_get('/allrule/ok', bearer($user));
is($st, 403, 'satisfy all, allowed address: the rule still applies');
($st) = $t->http_get('/allrule/ok', bearer($admin));
is($st, 200, 'satisfy all, allowed address: the rule holds');
($st) = $t->http_get('/allrule/ok');
is($st, 401, 'satisfy all, allowed address: a token is still needed');

$t->stop;

# nginx -t: a "return" without "if" in a protected location.
my $c = JwtTest->new;
my $conf = $c->conf_path;
my $warning = qr/"auth_jwt" has no effect in location "([^"]+)": "return" answers in the rewrite phase, before the access check/;

sub warnings_for
{
    my ($body) = @_;
    $c->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    auth_jwt_key "$secret";
$body
}
EOF
    my ($rc, $out) = $c->test_config;
    is($rc, 0, 'nginx -t passes') or diag($out);
    return $out;
}

my $out = warnings_for(<<'EOF');
    location /x/ {
        auth_jwt on;
        return 200 "never protected\n";
    }
EOF
like($out, qr/\[warn\].*$warning/, 'return in a protected location: warning');
like($out, qr/location "\/x\/"/, 'the warning names the location');
my $line = $c->conf_line(qr/auth_jwt on;/);
like($out, qr/"auth_jwt" in \Q$conf\E:$line\b/,
     'the warning names the auth_jwt directive\'s file:line');

$out = warnings_for(<<'EOF');
    auth_jwt "srv";
    location /inherited/ {
        set $x 1;
        return 302 /elsewhere;
    }
EOF
like($out, qr/$warning/, 'auth_jwt inherited from the server: warning');
like($out, qr/location "\/inherited\/"/, 'names the location');
$line = $c->conf_line(qr/auth_jwt "srv";/);
like($out, qr/"auth_jwt" in \Q$conf\E:$line\b/,
     'points at the server\'s auth_jwt');

$out = warnings_for(<<'EOF');
    location /x/ {
        auth_jwt on;
        if ($jwt_claim_role != "admin") {
            return 403;
        }
    }
EOF
unlike($out, $warning, 'return inside if: no warning');

$out = warnings_for(<<'EOF');
    auth_jwt on;
    location /x/ {
        if ($arg_a) {
            set $y 1;
        }
        return 200;
    }
EOF
unlike($out, $warning, 'return next to an if: no warning (may be conditional)');

$out = warnings_for(<<'EOF');
    location /x/ {
        auth_jwt off;
        return 200;
    }
    location /y/ {
        return 200;
    }
EOF
unlike($out, $warning, 'return where auth_jwt is off: no warning');

$out = warnings_for(<<'EOF');
    location /x/ {
        auth_jwt on;
        set $z 1;
    }
EOF
unlike($out, $warning, 'protected location without return: no warning');

done_testing;
