#!/usr/bin/perl
# examples/static-site.conf as shipped, on free ports: pages redirect to the
# login page, the login page is public, the API keeps its 401, the session
# cookie goes no further than the front server.

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
my $conf = $t->example_conf('static-site.conf');
$t->write_file('nginx.conf', $conf);

my ($secret) = $conf =~ /^\s*auth_jwt_key\s+"([^"]+)";/m;
ok(defined $secret, 'the example has a demo secret');
like(JwtTest::slurp("$repo/examples/static-site.conf"), qr/key => "\Q$secret\E"/,
     'the comment mints its demo token with that secret');

$t->start;

my $session = jwt('HS256', $secret, { sub => 'demo-user', iat => time,
                                      exp => time + 3600 });
my $expired = jwt('HS256', $secret, { sub => 'demo-user', iat => time - 7200,
                                      exp => time - 3600 });
my $forged = jwt('HS256', 'another-secret-of-at-least-32-bytes!!',
                 { sub => 'demo-user' });

my ($st, $h, $body);

# Pages without a session: to the login page, with the way back.
for my $case (['/', 'home page'],
              ['/docs/guide.html', 'a deeper page'],
              ['/docs/guide.html?a=1&b=2', 'a page with a query string'],
              ['/no-such-page', 'a page that does not exist'])
{
    my ($path, $name) = @$case;
    ($st, $h) = $t->http_get($path);
    is($st, 302, "$name without a session: 302");
    is($h->{location}, "/login.html?return_to=$path",
       "$name without a session: to the login page with return_to");
    ok(!exists $h->{'www-authenticate'}, "$name: no challenge on a redirect");
}

for my $case ([$expired, 'expired'], [$forged, 'bad_signature'],
              ['garbage', 'malformed'])
{
    my ($cookie, $code) = @$case;
    my $mark = $t->log_mark;
    ($st, $h) = $t->http_get('/', Cookie => "session=$cookie");
    is($st, 302, "$code session: 302");
    is($h->{location}, '/login.html?return_to=/',
       "$code session: to the login page");
    like($t->log_since($mark), qr/\[info\].*auth_jwt: .*"\Q$code\E"/,
         "$code session: the reason is logged");
}

($st, $h) = $t->http_get('/', Authorization => "Bearer $session");
is($st, 302, 'a bearer header is not the session: the cookie is the source');

# The login page is public.
($st, $h, $body) = $t->http_get('/login.html?return_to=/docs/guide.html');
is($st, 200, 'login page without a session: 200');
like($body, qr/<h1>Sign in<\/h1>/, 'login page served');

# With a session.
($st, $h, $body) = $t->http_get('/', Cookie => "session=$session");
is($st, 200, 'home page with a session: 200');
like($body, qr/Members area/, 'home page served');
($st, $h, $body) = $t->http_get('/docs/guide.html',
                                Cookie => "theme=dark; session=$session");
is($st, 200, 'deeper page with a session among other cookies: 200');
like($body, qr/members-only page/, 'deeper page served');
($st) = $t->http_get('/no-such-page', Cookie => "session=$session");
is($st, 404, 'a missing page with a session: 404');

# The API answers 401, never a redirect.
($st, $h) = $t->http_get('/api/me');
is($st, 401, 'api without a session: 401');
is($h->{'www-authenticate'}, 'Bearer realm="site"',
   'api without a session: challenge');
ok(!exists $h->{location}, 'api without a session: no redirect');
($st, $h) = $t->http_get('/api/me', Cookie => "session=$expired");
is($st, 401, 'api with an expired session: 401');
is($h->{'www-authenticate'}, 'Bearer realm="site", error="invalid_token"',
   'api with an expired session: invalid_token');

($st, $h, $body) = $t->http_get('/api/me',
                                Cookie => "theme=dark; session=$session");
is($st, 200, 'api with a session: 200');
is($body, qq({"user": "demo-user", "cookie": "theme=dark"}\n),
   'api: the user goes upstream, the session cookie does not');

$t->stop;
done_testing;
