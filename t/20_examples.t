#!/usr/bin/perl
# examples/quickstart.conf as "make run" starts it, on free ports, with the
# token "make run" mints.

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

# The example as shipped, pointed at this test's ports and directory.
my $conf = $t->example_conf('quickstart.conf');
$t->write_file('nginx.conf', $conf);

# "make run" mints its token with the secret the example is configured with.
my ($secret) = JwtTest::slurp("$repo/scripts/run-quickstart") =~ /^secret="([^"]+)"/m;
ok(defined $secret && index($conf, qq{auth_jwt_key  "$secret"}) >= 0,
   'scripts/run-quickstart signs with the secret of quickstart.conf');

$t->start;

my $token = jwt('HS256', $secret, { sub => 'demo-user', scope => 'read',
                                    iat => time, exp => time + 3600 });
my $auth = "Bearer $token";

my ($st, $h, $body) = $t->http_get('/');
is($st, 401, 'site without a token: 401');
is($h->{'www-authenticate'}, 'Bearer realm="quickstart"',
   'site without a token: challenge names the realm');

($st, $h, $body) = $t->http_get('/', Authorization => $auth);
is($st, 200, 'site with the token: 200');
like($body, qr/only served with a valid token/, 'site: index.html served');

($st, $h, $body) = $t->http_get('/api/hello', Authorization => $auth);
is($st, 200, 'api with the token: 200');
is($body, "upstream says: hello demo-user (scope: read)\n",
   'api: claims reach the upstream as headers');

($st) = $t->http_get('/api/hello');
is($st, 401, 'api without a token: 401');

($st, $h, $body) = $t->http_get('/public.html');
is($st, 200, 'public page without a token: 200');

my $forged = jwt('HS256', 'another-secret-of-at-least-32-bytes!!',
                 { sub => 'demo-user' });
($st, $h) = $t->http_get('/', Authorization => "Bearer $forged");
is($st, 401, 'token signed with another secret: 401');
is($h->{'www-authenticate'},
   'Bearer realm="quickstart", error="invalid_token"',
   'refused token: error="invalid_token"');

$t->stop;
done_testing;
