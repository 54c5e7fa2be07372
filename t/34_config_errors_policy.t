# Configurations of the policy directives (auth_jwt_claims, auth_jwt_require,
# auth_jwt_issuer/audience, auth_jwt_max_lifetime, the mode switches,
# auth_jwt_login_url, auth_jwt_claim_set/header_set) that nginx -t must
# refuse, each with a message that names the problem and the file:line.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $t = JwtTest->new;
my $conf = $t->conf_path;
my $secret = 'policy-config-secret-' . ('q' x 43);

# A location body, or (with a leading "http {") a whole http block.
sub template
{
    my ($body) = @_;
    return $body if $body =~ /^\s*http\s*\{/;
    return <<"EOF";
server {
    listen 127.0.0.1:%%PORT%%;
    location / {
        auth_jwt on;
        auth_jwt_key "$secret";
$body
    }
}
EOF
}

# $at: a regex for the offending line; undef where nginx itself names no
# position (an unknown variable is reported once the whole file is read).
sub config_fails
{
    my ($name, $problem, $at, $body) = @_;
    $t->write_conf(template($body));
    my ($rc, $out) = $t->test_config;

    is($rc, 1, "$name: nginx -t fails") or diag($out);
    like($out, $problem, "$name: names the problem") or diag($out);
    return unless defined $at;
    my $line = $t->conf_line($at);
    ok(defined $line, "$name: the offending line is in the conf");
    like($out, qr/\Q$conf\E:$line\b/, "$name: names the file and line")
        if defined $line;
}

sub config_ok
{
    my ($name, $body) = @_;
    $t->write_conf(template($body));
    my ($rc, $out) = $t->test_config;
    is($rc, 0, "$name: nginx -t passes") or diag($out);
}

# Everything accepted, at every level it is allowed at.
config_ok('every policy directive', <<"EOF");
http {
    map \$jwt_claim_role \$is_admin { admin 1; default 0; }
    auth_jwt_claim_set \$kc_roles realm_access roles;
    auth_jwt_header_set \$kid kid;
    auth_jwt_claims "sub";
    auth_jwt_issuer https://a.example.com;
    auth_jwt_audience api;
    auth_jwt_max_lifetime 24h;
    auth_jwt_optional off;
    auth_jwt_allow_preflight off;
    auth_jwt_strip_token off;
    server {
        listen 127.0.0.1:%%PORT%%;
        auth_jwt_key "$secret";
        auth_jwt_claims "level>=1" error=401;
        auth_jwt_require \$is_admin;
        location / {
            auth_jwt "app" token=\$cookie_session;
            auth_jwt_claims "email" "role=admin" "role!=guest" "scope~=read";
            auth_jwt_claims "a.b.c<3" "x<=1.5" "y>-2" "z>=1e3" error=403;
            auth_jwt_claims "aud=\$host" "tenant=\$arg_t" "n>=\$arg_n";
            auth_jwt_claims "resource_access.my-app.roles~=editor";
            auth_jwt_require \$is_admin \$jwt_claim_email error=403;
            auth_jwt_issuer https://a.example.com https://b.example.com;
            auth_jwt_audience api web;
            auth_jwt_max_lifetime 1h;
            auth_jwt_optional on;
            auth_jwt_allow_preflight on;
            auth_jwt_strip_token on;
            auth_jwt_login_url "https://login.example.com/?r=\$scheme://\$host\$request_uri";
            limit_except GET {
                auth_jwt_claims "role=admin";
                auth_jwt_require \$is_admin;
            }
        }
    }
}
EOF

# Rules.
config_fails('empty path segment', qr/"a\.\.b=1".*empty/, qr/a\.\.b=1/,
             '        auth_jwt_claims "a..b=1";');
config_fails('empty claim name', qr/"=x".*empty/, qr/"=x"/,
             '        auth_jwt_claims "=x";');
config_fails('leading dot', qr/"\.a".*empty/, qr/"\.a"/,
             '        auth_jwt_claims ".a";');
config_fails('trailing dot', qr/"a\.=1".*empty/, qr/"a\.=1"/,
             '        auth_jwt_claims "a.=1";');
config_fails('unknown operator !', qr/"role!admin".*operator/,
             qr/role!admin/, '        auth_jwt_claims "role!admin";');
config_fails('unknown operator ~', qr/"scope~read".*operator/,
             qr/scope~read/, '        auth_jwt_claims "scope~read";');
config_fails('a bad rule after good ones', qr/"b\.\.c".*empty/,
             qr/b\.\.c/, '        auth_jwt_claims "sub" "role=admin" "b..c";');
config_fails('bad rule in limit_except', qr/"x\.\.y=1".*empty/, qr/x\.\.y=1/,
    <<'EOF');
        limit_except GET {
            auth_jwt_claims "x..y=1";
        }
EOF

# Numeric operators with a constant operand need a number.
for my $rule ('level>=abc', 'level<', 'level>3x', 'level<=inf',
              'level>1e400', 'level<"3"')
{
    (my $text = $rule) =~ s/"/\\"/g;
    config_fails("numeric rule $rule", qr/\Q$rule\E.*number/, qr/\Q$text\E/,
                 qq{        auth_jwt_claims "$text";});
}
config_ok('numeric rule with a variable operand',
          '        auth_jwt_claims "level>=$arg_min";');
config_ok('numeric rule with a negative and an exponent',
          '        auth_jwt_claims "level>=-1.5" "level<2e3";');

# only JSON numbers: strtod alone would read hexadecimal
$t->write_conf(template('        auth_jwt_claims "level>=0x10";'));
my ($hex_rc) = $t->test_config;
is($hex_rc, 1, 'numeric rule with a hexadecimal constant is refused');

# error=
config_fails('auth_jwt_claims error=500', qr/error=500.*401 or 403/,
             qr/error=500/,
             '        auth_jwt_claims "role=admin" error=500;');
config_fails('auth_jwt_claims error=', qr/error=.*401 or 403/, qr/error=;/,
             '        auth_jwt_claims "role=admin" error=;');
config_fails('auth_jwt_claims with only error=',
             qr/"auth_jwt_claims".*needs a rule/, qr/auth_jwt_claims error/,
             '        auth_jwt_claims error=403;');
config_fails('auth_jwt_claims without arguments',
             qr/number of arguments.*"auth_jwt_claims"/, qr/auth_jwt_claims;/,
             '        auth_jwt_claims;');
config_fails('auth_jwt_claims with an unknown variable',
             qr/unknown "no_such_var" variable/, undef,
             '        auth_jwt_claims "tenant=$no_such_var";');

# auth_jwt_require.
config_fails('auth_jwt_require error=500', qr/error=500.*401 or 403/,
             qr/error=500/,
             '        auth_jwt_require $jwt_claim_sub error=500;');
config_fails('auth_jwt_require with only error=',
             qr/"auth_jwt_require".*needs a value/, qr/auth_jwt_require error/,
             '        auth_jwt_require error=401;');
config_fails('auth_jwt_require with an unknown variable',
             qr/unknown "no_such_var" variable/, undef,
             '        auth_jwt_require $no_such_var;');

# Issuer, audience, lifetime, switches, login URL.
config_fails('duplicate auth_jwt_issuer', qr/"auth_jwt_issuer".*duplicate/,
             qr/b\.example/, <<'EOF');
        auth_jwt_issuer https://a.example.com;
        auth_jwt_issuer https://b.example.com;
EOF
config_fails('duplicate auth_jwt_audience', qr/"auth_jwt_audience".*duplicate/,
             qr/audience web/, <<'EOF');
        auth_jwt_audience api;
        auth_jwt_audience web;
EOF
config_fails('auth_jwt_issuer without arguments',
             qr/number of arguments.*"auth_jwt_issuer"/, qr/auth_jwt_issuer;/,
             '        auth_jwt_issuer;');
config_fails('auth_jwt_issuer in limit_except',
             qr/"auth_jwt_issuer".*not allowed here/, qr/auth_jwt_issuer/,
             <<'EOF');
        limit_except GET {
            auth_jwt_issuer https://a.example.com;
        }
EOF
config_fails('auth_jwt_max_lifetime value',
             qr/"auth_jwt_max_lifetime".*invalid value|invalid value.*long/,
             qr/max_lifetime long/, '        auth_jwt_max_lifetime long;');
for my $flag (qw(optional allow_preflight strip_token)) {
    config_fails("auth_jwt_$flag value",
                 qr/invalid value "maybe".*"auth_jwt_$flag"/,
                 qr/auth_jwt_$flag maybe/, "        auth_jwt_$flag maybe;");
}
config_fails('duplicate auth_jwt_login_url',
             qr/"auth_jwt_login_url".*duplicate/, qr/login_url \/two/,
             <<'EOF');
        auth_jwt_login_url /one;
        auth_jwt_login_url /two;
EOF
config_fails('auth_jwt_login_url with an unknown variable',
             qr/unknown "no_such_var" variable/, undef,
             '        auth_jwt_login_url /login?r=$no_such_var;');

# auth_jwt_claim_set / auth_jwt_header_set: http context only.
config_fails('auth_jwt_claim_set in a location',
             qr/"auth_jwt_claim_set".*not allowed here/, qr/claim_set/,
             '        auth_jwt_claim_set $v sub;');
config_fails('auth_jwt_header_set in a server',
             qr/"auth_jwt_header_set".*not allowed here/, qr/header_set/,
             <<'EOF');
http {
    server {
        listen 127.0.0.1:%%PORT%%;
        auth_jwt_header_set $v kid;
    }
}
EOF
config_fails('auth_jwt_claim_set without a $', qr/invalid variable name "v"/,
             qr/claim_set v/, <<'EOF');
http {
    auth_jwt_claim_set v sub;
}
EOF
config_fails('auth_jwt_claim_set with an empty name', qr/empty claim name/,
             qr/claim_set/, <<'EOF');
http {
    auth_jwt_claim_set $v realm_access "";
}
EOF
config_fails('auth_jwt_claim_set without a claim',
             qr/number of arguments.*"auth_jwt_claim_set"/, qr/claim_set/,
             <<'EOF');
http {
    auth_jwt_claim_set $v;
}
EOF

done_testing;
