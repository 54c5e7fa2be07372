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

sub slurp
{
    my ($path) = @_;
    open my $fh, '<', $path or die "$path: $!\n";
    local $/;
    return scalar <$fh>;
}

# The example as shipped, pointed at this test's ports and directory.
my $conf = slurp("$repo/examples/quickstart.conf");
my $module = JwtTest::module_path();
ok($conf =~ s{^load_module objs/ngx_http_auth_jwt_module\.so;}
             {load_module $module;\ndaemon off;\nmaster_process on;}m,
   'quickstart loads the module from objs/');
$conf =~ s{\brun/}{$dir/}g;
$conf =~ s{\bexamples/site\b}{$repo/examples/site}g;
$conf =~ s{127\.0\.0\.1:8080\b}{'127.0.0.1:' . $t->port}ge;
$conf =~ s{127\.0\.0\.1:8081\b}{'127.0.0.1:' . $t->port2}ge;
$t->write_file('nginx.conf', $conf);
mkdir "$dir/tmp";

# "make run" mints its token with the secret the example is configured with.
my ($secret) = slurp("$repo/scripts/run-quickstart") =~ /^secret="([^"]+)"/m;
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
