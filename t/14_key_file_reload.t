# Key files are read again when they change, without "nginx -s reload":
# a worker checks at most once a second; a file that no longer loads
# keeps the previous keys in use and is reported once.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $first = 'hot-reload-first-secret-' . ('f' x 40);
my $second = 'hot-reload-second-secret-' . ('s' x 39);

my $t = JwtTest->new;
$t->write_file('html/ok', "ok\n");
my $file = $t->write_file('keys/k.jwk', json({ kty => 'oct', k => b64u($first) }));
$t->write_conf(<<'EOF');
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    auth_jwt on;
    auth_jwt_key file=keys/k.jwk;
    add_header X-Jwt-Result $jwt_result always;
}
EOF
$t->start;

my $first_token = jwt('HS256', $first);
my $second_token = jwt('HS256', $second);

sub status
{
    my ($token) = @_;
    my ($st) = $t->http_get('/ok', Authorization => "Bearer $token");
    return $st;
}

# Replaces the key file, as an operator's deploy would (a new file moved
# into place), with a modification time of its own.
my $version = 0;
sub replace_key_file
{
    my ($content) = @_;
    $t->write_file('keys/k.jwk.new', $content);
    my $when = time + 10 * ++$version;
    utime $when, $when, "$file.new";
    rename "$file.new", $file or die "rename: $!\n";
}

sub eventually
{
    my ($check) = @_;
    for (1 .. 60) {
        return 1 if $check->();
        sleep 0.1;
    }
    return 0;
}

is(status($first_token), 200, 'first key accepted');
is(status($second_token), 401, 'second key not yet');

replace_key_file(json({ kty => 'oct', k => b64u($second) }));
ok(eventually(sub { status($second_token) == 200 }),
   'changed key file: new key accepted without a reload');
is(status($first_token), 401, 'changed key file: old key refused');
like($t->read_file('error.log'), qr/auth_jwt: key files changed/,
     'the reload of the keys is logged');

my $mark = $t->log_mark;
replace_key_file('{"kty":"oct","k":"c2hvcnQ"}');
sleep 1.2;
is(status($second_token), 200, 'broken key file: previous keys stay');
is(status($second_token), 200, 'broken key file: and stay');
sleep 1.2;
status($second_token);
my @errors = grep { /keeping the previous keys/ } split /\n/,
    $t->log_since($mark);
is(scalar @errors, 1, 'broken key file: reported once');
like($errors[0] // '', qr/\[error\].*k\.jwk/, 'the report names the file');

replace_key_file(json({ kty => 'oct', k => b64u($first) }));
ok(eventually(sub { status($first_token) == 200 }),
   'fixed key file: its keys are used');

# A file the workers may not read (they run as nobody when the tests run
# as root): its keys stay, and it is reported once.
if ($> == 0) {
    $mark = $t->log_mark;
    replace_key_file(json({ kty => 'oct', k => b64u($second) }));
    chmod 0600, $file;
    sleep 1.2;
    is(status($first_token), 200, 'unreadable key file: previous keys stay');
    sleep 1.2;
    status($first_token);
    my @denied = grep { /keeping the previous keys.*Permission denied/ }
                 split /\n/, $t->log_since($mark);
    is(scalar @denied, 1, 'unreadable key file: reported once');
    chmod 0644, $file;
    ok(eventually(sub { status($second_token) == 200 }),
       'readable again: its keys are used');
    replace_key_file(json({ kty => 'oct', k => b64u($first) }));
    ok(eventually(sub { status($first_token) == 200 }), 'and replaced again');
}

unlink $file;
sleep 1.2;
is(status($first_token), 200, 'deleted key file: the keys in use stay');

$t->stop;
done_testing;
