# "nginx -s reload" picks up new keys; a reload whose key file is broken
# is refused and the old workers keep serving with the old keys.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $old = 'reload-old-secret-' . ('o' x 46);
my $new = 'reload-new-secret-' . ('n' x 46);

my $t = JwtTest->new;
$t->write_file('html/ok', "ok\n");
$t->write_file('keys/k.jwk', json({ kty => 'oct', k => b64u($old) }));
$t->write_conf(<<'EOF');
server {
    listen 127.0.0.1:%%PORT%%;
    root %%TESTDIR%%/html;
    auth_jwt on;
    auth_jwt_key file=keys/k.jwk;
}
EOF
$t->start;

my $old_token = jwt('HS256', $old);
my $new_token = jwt('HS256', $new);

sub status
{
    my ($token) = @_;
    my ($st) = $t->http_get('/ok', Authorization => "Bearer $token");
    return $st;
}

# Sends HUP to the master and waits until requests see the new keys and
# the old worker has exited: until then it may still take a connection
# with the keys it had (it reads a changed key file within a second, but
# a busy machine may let it answer before that).
sub reload_until_switched
{
    my $mark = $t->log_mark;
    kill 'HUP', $t->{pid};
    for (1 .. ($ENV{NGINX_VALGRIND} ? 1200 : 400)) {
        return 1 if $t->log_since($mark) =~ /worker process \d+ exited/
                    && status($new_token) == 200 && status($old_token) == 401;
        sleep 0.05;
    }
    return 0;
}

is(status($old_token), 200, 'old key accepted before reload');
is(status($new_token), 401, 'new key refused before reload');

$t->write_file('keys/k.jwk', json({ kty => 'oct', k => b64u($new) }));
ok(reload_until_switched(), 'after reload: new key accepted, old refused');
for (1 .. 5) {
    is(status($old_token), 401, 'after reload: old key stays refused');
}

# a broken key file: the reload fails, the running workers keep their keys
my $mark = $t->log_mark;
$t->write_file('keys/k.jwk', '{"kty":"oct","k":"short"}');
kill 'HUP', $t->{pid};
sleep($ENV{NGINX_VALGRIND} ? 5 : 0.5);
like($t->log_since($mark), qr/\[emerg\].*k\.jwk/,
     'broken key file: the reload is refused, naming the file');
is(status($new_token), 200, 'broken key file: current keys still serve');

# the refused reload's [emerg] is expected: check the rest of the log
my @bad = grep { !/\[emerg\].*k\.jwk/ } $t->bad_log_lines;
$t->{log_start} = -s $t->error_log;
ok(!@bad, 'nothing else went wrong') or diag(join "\n", @bad);

$t->stop;
done_testing;
