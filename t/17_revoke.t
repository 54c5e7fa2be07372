# auth_jwt_revoke: a token whose jti, sub or kid is listed is refused as
# "revoked" once it has verified; the list lives in a shared memory zone,
# is read again when its file changes (no reload), keeps the previous
# list when a new file is broken or does not fit the zone, and a bad file
# or a zone too small fails "nginx -t".

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep time);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

JwtTest::require_module();

my $secret = 'revoke-test-secret-' . ('r' x 45);

# A 1M-entry list is the figure the feature is for; under valgrind its
# load alone takes minutes, so the memory-checking runs use a smaller one
# (the code path is the same).
my $large = $ENV{NGINX_VALGRIND} ? 20_000 : 1_000_000;

my $t = JwtTest->new;
$t->write_file("html/$_", "ok\n") for qw(ok off/ok json/ok early/ok
                                         small/ok opt/ok large/ok);
my $list = $t->write_file('revoked.txt', <<'EOF');
# revoked after the incident
jti j-revoked
sub mallory
kid k-old

bare-1
EOF
$t->write_file('revoked.json', json({
    jti => ['json-jti'],
    sub => ['  spaced sub'],
}));
my $small = $t->write_file('small.txt', join '', map { "s-$_\n" } 1 .. 10);

my $started = time;
{
    open my $fh, '>', $t->dir . '/large.txt' or die "large.txt: $!\n";
    print $fh "# generated\n";
    print $fh "jti large-$_\n" for 1 .. $large;
    close $fh;
}
my $large_mb = int($large * 10 / 1024 / 1024) + 2;

sub main_conf
{
    my ($file) = @_;
    return <<"EOF";
http {
    auth_jwt on;
    auth_jwt_key "$secret";
    auth_jwt_revoke file=$file zone=revoked:256k;

    server {
        listen 127.0.0.1:%%PORT%%;
        root %%TESTDIR%%/html;
        add_header X-Jwt-Result \$jwt_result always;
        add_header X-Sub \$jwt_claim_sub always;

        location / { }
        location /off/ { auth_jwt_revoke off; }
        location /opt/ { auth_jwt_optional on; }

        # verified here in the rewrite phase, without the list; verified
        # again under /ok, where the list applies
        location /hop/ {
            auth_jwt_revoke off;
            set \$seen \$jwt_result;
            rewrite ^ /ok last;
        }

        # a zone is used before the location that declares it
        location /early/ { auth_jwt_revoke zone=json; }
        location /json/ {
            auth_jwt_revoke file=revoked.json zone=json:64k;
        }

        location /small/ {
            auth_jwt_revoke file=small.txt zone=small:32k;
        }
        location /large/ {
            auth_jwt_revoke file=large.txt zone=large:${large_mb}m;
        }
    }
}
EOF
}

$t->write_conf(main_conf('revoked.txt'));
$t->start;
note(sprintf 'generated and loaded %d entries in %.1f s', $large,
     time - $started);

sub tok
{
    my ($claims, $header) = @_;
    return jwt('HS256', $secret, $claims, $header);
}

sub result
{
    my ($path, $token) = @_;
    my ($st, $h) = $t->http_get($path, Authorization => "Bearer $token");
    return ($st // 0) . ' ' . ($h->{'x-jwt-result'} // '');
}

sub eventually
{
    my ($check) = @_;
    for (1 .. ($ENV{NGINX_VALGRIND} ? 300 : 60)) {
        return 1 if $check->();
        sleep 0.1;
    }
    return 0;
}

# Replaces a list file as a deploy would (a new file renamed into place),
# with a modification time of its own.
my $version = 0;
sub replace_file
{
    my ($path, $content) = @_;
    $t->write_file("$path.new", $content);
    my $when = int(time) + 10 * ++$version;
    utime $when, $when, "$path.new";
    rename "$path.new", $path or die "rename: $!\n";
}

# ---------------------------------------------------------------- listed

$t->auth_is('/ok', tok({ jti => 'j-fine' }), 200, 'ok', 'a token not listed');
$t->auth_is('/ok', tok({ jti => 'j-revoked' }), 401, 'revoked', 'listed jti');
$t->auth_is('/ok', tok({ sub => 'mallory' }), 401, 'revoked', 'listed sub');
$t->auth_is('/ok', tok({}, { kid => 'k-old' }), 401, 'revoked', 'listed kid');
$t->auth_is('/ok', tok({ jti => 'bare-1' }), 401, 'revoked',
            'a bare line is a jti');
$t->auth_is('/ok', tok({ sub => 'j-revoked' }), 200, 'ok',
            'a jti value as sub is not listed');
$t->auth_is('/ok', tok({ jti => 'k-old' }, { kid => 'k-new' }), 200, 'ok',
            'a kid value as jti is not listed');

my ($st, $h) = $t->http_get('/ok',
    Authorization => 'Bearer ' . tok({ sub => 'mallory' }));
is($h->{'www-authenticate'}, 'Bearer error="invalid_token"',
   'revoked: an invalid_token challenge');
ok(!defined $h->{'x-sub'}, 'revoked: no claim reaches a variable');

# Only a token that verified is looked up.
$t->auth_is('/ok', tamper_sig(tok({ jti => 'j-revoked' })), 401,
            'bad_signature', 'a forged listed token is a bad signature');
$t->auth_is('/ok', tok({ jti => 'j-revoked', exp => time - 10 }), 401,
            'expired', 'an expired listed token is expired');

$t->auth_is('/off/ok', tok({ jti => 'j-revoked' }), 200, 'ok',
            'auth_jwt_revoke off');
$t->auth_is('/opt/ok', tok({ jti => 'j-revoked' }), 401, 'revoked',
            'auth_jwt_optional lets no revoked token through');
$t->auth_is('/hop/ok', tok({ jti => 'j-revoked' }), 401, 'revoked',
            'a rewrite into a location with a list verifies again');

# ---------------------------------------------------------------- JSON

$t->auth_is('/json/ok', tok({ jti => 'json-jti' }), 401, 'revoked',
            'JSON list: jti');
$t->auth_is('/json/ok', tok({ sub => '  spaced sub' }), 401, 'revoked',
            'JSON list: a sub with blanks');
$t->auth_is('/json/ok', tok({ jti => 'j-revoked' }), 200, 'ok',
            'JSON list: its own location replaces the inherited list');
$t->auth_is('/early/ok', tok({ jti => 'json-jti' }), 401, 'revoked',
            'a zone used before its declaration');

# ---------------------------------------------------------------- large

$t->auth_is('/large/ok', tok({ jti => 'large-' . int($large / 2 + 7) }), 401,
            'revoked', "$large entries: one listed");
$t->auth_is('/large/ok', tok({ jti => 'large-1' }), 401, 'revoked',
            "$large entries: the first");
$t->auth_is('/large/ok', tok({ jti => "large-$large" }), 401, 'revoked',
            "$large entries: the last");
$t->auth_is('/large/ok', tok({ jti => 'large-' . ($large + 1) }), 200, 'ok',
            "$large entries: one not listed");

# ---------------------------------------------------------------- reload

replace_file($list, "jti j-new\n");
ok(eventually(sub { result('/ok', tok({ jti => 'j-new' })) eq '401 revoked' }),
   'changed file: the new entry is revoked without a reload');
is(result('/ok', tok({ jti => 'j-revoked' })), '200 ok',
   'changed file: an entry no longer listed passes');
is(result('/ok', tok({ sub => 'mallory' })), '200 ok',
   'changed file: a sub no longer listed passes');
like($t->read_file('error.log'),
     qr/\[notice\].*revocation list ".*revoked\.txt" changed, 1 entries/,
     'the new list is logged');

my $mark = $t->log_mark;
replace_file($list, "jti j-newer\njit typo\n");
sleep 1.2;
is(result('/ok', tok({ jti => 'j-new' })), '401 revoked',
   'broken file: the previous list stays');
is(result('/ok', tok({ jti => 'j-newer' })), '200 ok',
   'broken file: none of it is used');
sleep 1.2;
result('/ok', tok({ jti => 'j-new' }));
my @errors = grep { /keeping the previous revocation list/ }
    split /\n/, $t->log_since($mark);
is(scalar @errors, 1, 'broken file: reported once');
like($errors[0] // '', qr/\[error\].*revoked\.txt:2: unknown field "jit"/,
     'the report names the file and line');

replace_file($list, "jti j-newer\n");
ok(eventually(sub {
       result('/ok', tok({ jti => 'j-newer' })) eq '401 revoked' }),
   'fixed file: its list is used');

unlink $list;
sleep 1.2;
is(result('/ok', tok({ jti => 'j-newer' })), '401 revoked',
   'deleted file: the list in use stays');

# ---------------------------------------------------------------- zone full

is(result('/small/ok', tok({ jti => 's-3' })), '401 revoked',
   'small zone: listed');

$mark = $t->log_mark;
replace_file($small, join '', map { "s2-$_\n" } 1 .. 5000);
sleep 1.2;
is(result('/small/ok', tok({ jti => 's-3' })), '401 revoked',
   'zone full: the previous list stays');
is(result('/small/ok', tok({ jti => 's2-3' })), '200 ok',
   'zone full: none of the new list is used');
sleep 1.2;
result('/small/ok', tok({ jti => 's-3' }));
@errors = grep { /keeping the previous revocation list/ }
    split /\n/, $t->log_since($mark);
is(scalar @errors, 1, 'zone full: reported once');
my $full = qr/\[error\].*small\.txt" \(5000 entries\) needs a zone of at /
    . qr/least \d+k, zone "small" is 32k,/;
like($errors[0] // '', qr/$full/,
     'zone full: the report names the zone and the size needed');

replace_file($small, join '', map { "s3-$_\n" } 1 .. 100);
ok(eventually(sub {
       result('/small/ok', tok({ jti => 's3-100' })) eq '401 revoked' }),
   'a list that fits again is used');

# ---------------------------------------------------------------- reload

# "nginx -s reload" with the zone's name and size unchanged keeps the
# zone and fills it from the new configuration's file. A worker of the
# old configuration, finishing a request it had started, still sees its
# old file change, but must not put that file's list back in the zone.
my $slow = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port)
    or die "connect: $!\n";
$slow->syswrite("GET /ok HTTP/1.1\r\nHost: localhost\r\n"
                . "Connection: close\r\n");
sleep 0.2;

$t->write_file('revoked2.txt', "jti j-reloaded\n");
$t->write_conf(main_conf('revoked2.txt'));
kill 'HUP', $t->{pid};
ok(eventually(sub {
       result('/ok', tok({ jti => 'j-reloaded' })) eq '401 revoked' }),
   'reload: the new file is the list');
is(result('/ok', tok({ jti => 'j-newer' })), '200 ok',
   'reload: the old file is not');

replace_file($list, "jti j-stale\n");
sleep 1.2;
$slow->syswrite('Authorization: Bearer ' . tok({ jti => 'j-reloaded' })
                . "\r\n\r\n");
my $reply = '';
while ($slow->sysread(my $buf, 65536)) {
    $reply .= $buf;
}
like($reply, qr{^HTTP/1\.1 401 .*X-Jwt-Result: revoked}s,
     'reload: an old worker reads the zone as it is now');
sleep 0.2;
is(result('/ok', tok({ jti => 'j-stale' })), '200 ok',
   'reload: the old worker did not load its old file');
is(result('/ok', tok({ jti => 'j-reloaded' })), '401 revoked',
   'reload: the new list stays');

# A reload whose list is broken is refused; the list in use stays.
$mark = $t->log_mark;
$t->write_file('revoked2.txt', "jti ok\nsub\n");
kill 'HUP', $t->{pid};
sleep($ENV{NGINX_VALGRIND} ? 5 : 0.5);
like($t->log_since($mark), qr/\[emerg\].*revoked2\.txt:2: "sub" without/,
     'a broken list: the reload is refused, naming the file and line');
is(result('/ok', tok({ jti => 'j-reloaded' })), '401 revoked',
   'a broken list: the list in use stays');

# the refused reload's [emerg] is expected: check the rest of the log
my @bad = grep { !/\[emerg\].*revoked2\.txt/ } $t->bad_log_lines;
$t->{log_start} = -s $t->error_log;
ok(!@bad, 'nothing else went wrong') or diag(join "\n", @bad);

$t->stop;

# ---------------------------------------------------------------- nginx -t

my $c = JwtTest->new;
my $conf = $c->conf_path;

sub conf_with
{
    my ($directives) = @_;
    $c->write_conf(<<"EOF");
server {
    listen 127.0.0.1:%%PORT%%;
    auth_jwt on;
    auth_jwt_key "$secret";
    location / {
$directives
    }
}
EOF
}

sub config_fails
{
    my ($name, $problem, $at, $directives) = @_;
    conf_with($directives);
    my ($rc, $out) = $c->test_config;
    is($rc, 1, "$name: nginx -t fails") or diag($out);
    like($out, $problem, "$name: names the problem");
    my $line = $c->conf_line($at);
    like($out, qr/\Q$conf\E:$line\b/, "$name: names nginx.conf and the line");
}

sub config_ok
{
    my ($name, $directives) = @_;
    conf_with($directives);
    my ($rc, $out) = $c->test_config;
    is($rc, 0, "$name: nginx -t passes") or diag($out);
}

$c->write_file('bad.txt', "jti a\n\n# c\nsub b\nsub\n");
$c->write_file('bad.json', '{"jti": ["a", 7]}');
$c->write_file('ok.txt', "jti a\n");
$c->write_file('many.txt', join '', map { "many-$_\n" } 1 .. 5000);

config_fails('a bad line',
             qr/"auth_jwt_revoke": \S*bad\.txt:5: "sub" without a value/,
             qr/bad\.txt/, 'auth_jwt_revoke file=bad.txt zone=z:64k;');
config_fails('a bad JSON list',
             qr/"auth_jwt_revoke": \S*bad\.json: "jti"\[1\] is not a string/,
             qr/bad\.json/, 'auth_jwt_revoke file=bad.json zone=z:64k;');
config_fails('a missing file',
             qr/open\(\) "\S*missing\.txt" failed/,
             qr/missing\.txt/, 'auth_jwt_revoke file=missing.txt zone=z:64k;');
config_fails('no zone', qr/"zone=" is required/, qr/ok\.txt/,
             'auth_jwt_revoke file=ok.txt;');
config_fails('a file without a zone size', qr/go together/, qr/ok\.txt/,
             'auth_jwt_revoke file=ok.txt zone=z;');
config_fails('a zone size without a file', qr/go together/, qr/z:64k/,
             'auth_jwt_revoke zone=z:64k;');
config_fails('an unknown parameter', qr/invalid parameter "size=1m"/,
             qr/size=1m/, 'auth_jwt_revoke file=ok.txt size=1m;');
config_fails('a zone below 8 pages', qr/zone "z:4k" is too small/, qr/z:4k/,
             'auth_jwt_revoke file=ok.txt zone=z:4k;');
config_fails('a bad zone size', qr/invalid zone size "lots"/, qr/z:lots/,
             'auth_jwt_revoke file=ok.txt zone=z:lots;');
config_fails('a zone declared twice', qr/zone "z" is already declared in/,
             qr/twice/, "auth_jwt_revoke file=ok.txt zone=z:64k;\n"
             . "location /b { auth_jwt_revoke file=ok.txt zone=z:64k; "
             . "# twice\n}");
config_fails('a duplicate', qr/"auth_jwt_revoke" directive is duplicate/,
             qr/revoke off;/, "auth_jwt_revoke file=ok.txt zone=z:64k;\n"
             . "auth_jwt_revoke off;");
config_ok('a valid declaration', 'auth_jwt_revoke file=ok.txt zone=z:64k;');

# A zone that is never declared has no size.
conf_with('auth_jwt_revoke zone=nowhere;');
my ($rc, $out) = $c->test_config;
is($rc, 1, 'an undeclared zone: nginx -t fails');
like($out, qr/zero size shared memory zone "nowhere"/,
     'an undeclared zone: named');

# A list too large for its zone, and the size it asks for.
conf_with('auth_jwt_revoke file=many.txt zone=z:32k;');
($rc, $out) = $c->test_config;
is($rc, 1, 'a zone too small: nginx -t fails');
my $at = $c->conf_line(qr/many\.txt/);
my $too_small = qr/"auth_jwt_revoke": revocation list "\S*many\.txt" /
    . qr/\(5000 entries\) needs a zone of at least \d+k, zone "z" is 32k /
    . qr/\(in \Q$conf\E:$at\)/;
like($out, qr/$too_small/,
     'a zone too small: names the list, the zone, the size and the line');
my ($needed) = $out =~ /at least (\d+)k/;
config_ok("the size asked for (${\($needed // '?')}k)",
          "auth_jwt_revoke file=many.txt zone=z:${\($needed // 0)}k;");

done_testing;
