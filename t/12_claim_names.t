# nginx lowercases variable names: $jwt_claim_userId must still find the
# claim "userId", and must never pick between "userId" and "userid".

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'claim-names-secret-' . ('n' x 45);

my $t = JwtTest->new;
$t->write_file('html/ok', "ok\n");
$t->write_conf(<<"EOF");
auth_jwt_claim_set \$exact_lower userid;
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    auth_jwt on;
    auth_jwt_key "$secret";
    add_header X-Camel "[\$jwt_claim_userId]" always;
    add_header X-Exact "[\$exact_lower]" always;
    add_header X-Mixed "[\$jwt_claim_TENANT_id]" always;
}
EOF
$t->start;

my ($st, $h) = $t->http_get('/ok', Authorization => 'Bearer '
    . jwt('HS256', $secret, { userId => 'U1', Tenant_ID => 'T9' }));
is($st, 200, 'token accepted');
is($h->{'x-camel'}, '[U1]', '$jwt_claim_userId finds "userId"');
is($h->{'x-mixed'}, '[T9]', 'case is ignored both ways');

($st, $h) = $t->http_get('/ok', Authorization => 'Bearer '
    . jwt('HS256', $secret, { userId => 'U1', userid => 'other' }));
is($h->{'x-camel'}, '[]', 'two claims differing in case: empty, no guess');
is($h->{'x-exact'}, '[other]', 'auth_jwt_claim_set names claims exactly');

$t->stop;
done_testing;
