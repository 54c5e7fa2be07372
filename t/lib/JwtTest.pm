package JwtTest;

# A small harness for the integration tests, in the manner of nginx-tests:
# one temp dir per instance, a generated nginx.conf, nginx started in the
# foreground on free loopback ports, raw HTTP, tokens minted at run time.
#
#   my $t = JwtTest->new;
#   $t->write_file('html/ok', "ok\n");
#   $t->write_conf(<<'EOF');
#   http {
#       server {
#           listen 127.0.0.1:%%PORT%%;
#           root %%TESTDIR%%/html;
#           location / { auth_jwt on; auth_jwt_key "..."; }
#       }
#   }
#   EOF
#   $t->start;
#   my ($status, $headers, $body) = $t->http_get('/ok', Authorization => ...);
#   $t->stop;        # also checks error.log for alerts and crashes
#   done_testing;
#
# Environment: NGINX_BIN, MODULE_SO, NGINX_PRELOAD (LD_PRELOAD for nginx),
# NGINX_VALGRIND (a command prefix: "valgrind -q --trace-children=yes"),
# JWT_TEST_KEEP=1 keeps the temp dirs.

use strict;
use warnings;

use Cwd qw(abs_path);
use Exporter qw(import);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp ();
use IO::Socket::INET;
use JSON::PP ();
use POSIX qw(WNOHANG);
use Test::More ();
use Time::HiRes ();

use Crypt::JWT qw(encode_jwt);
use Crypt::Mac::HMAC qw(hmac);
use Crypt::Misc qw(encode_b64u decode_b64u);
use Crypt::PK::ECC;
use Crypt::PK::Ed25519;
use Crypt::PK::RSA;

our @EXPORT = qw(jwt sign_raw b64u unb64u json tamper_sig tamper_payload);

my $REPO = abs_path(dirname(abs_path(__FILE__)) . '/../..');
my @INSTANCES;

# The bad lines: anything here fails the test file.
my $BAD_ANY = qr/\[alert\]|\[crit\]|AddressSanitizer|LeakSanitizer
                 |runtime\ error:|exited\ on\ signal/x;
my $BAD_AFTER_START = qr/\[emerg\]/;
# With NGINX_VALGRIND, run valgrind with -q: every "==PID==" line it prints
# is an error report, except notes about its gdb pipes.
$BAD_ANY = qr/$BAD_ANY|^==\d+==(?!.*vgdb)/m if $ENV{NGINX_VALGRIND};

sub nginx_bin { $ENV{NGINX_BIN} || '/usr/sbin/nginx' }

sub module_path
{
    my $so = $ENV{MODULE_SO} || "$REPO/objs/ngx_http_auth_jwt_module.so";
    return -e $so ? abs_path($so) : $so;
}

sub have_module { -e module_path() }

# Skips the whole file when the module has not been built.
sub require_module
{
    Test::More::plan(skip_all => 'module not built: ' . module_path())
        unless have_module();
}

sub new
{
    my ($class, %opt) = @_;

    my $dir = File::Temp::tempdir('nginx-jwt-XXXXXX', TMPDIR => 1,
                                  CLEANUP => !$ENV{JWT_TEST_KEEP});
    chmod 0755, $dir;    # workers run as nobody when we are root
    # an nginx built from source opens <prefix>/logs/error.log before it
    # reads the configuration
    make_path("$dir/logs");

    my ($port, $port2) = free_ports(2);
    my $self = bless {
        dir    => $dir,
        port   => $port,
        port2  => $port2,
        module => exists $opt{module} ? $opt{module} : module_path(),
        keys   => {},
    }, $class;

    push @INSTANCES, $self;
    return $self;
}

sub dir { $_[0]{dir} }
sub port { $_[0]{port} }
sub port2 { $_[0]{port2} }
sub conf_path { "$_[0]{dir}/nginx.conf" }
sub error_log { "$_[0]{dir}/error.log" }

# Ports that are free now, below the kernel's ephemeral range: a port the
# kernel handed out (LocalPort => 0) is one it may also give to an
# outgoing connection, of this test or one running beside it, before
# nginx binds it. Holds all sockets until every port is known, so they
# differ.
sub free_ports
{
    my ($n) = @_;
    my $ephemeral;
    if (open my $fh, '<', '/proc/sys/net/ipv4/ip_local_port_range') {
        ($ephemeral) = (<$fh> // '') =~ /^(\d+)/;
    }
    my ($low, $high) = (10000, ($ephemeral // 32768) - 1);
    my @socks;
    for (1 .. 1000) {
        last if @socks == $n;
        my $port = $high > $low ? $low + int(rand($high - $low)) : 0;
        my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                         LocalPort => $port, Proto => 'tcp',
                                         Listen => 1, ReuseAddr => 1);
        push @socks, $sock if $sock;
    }
    die "cannot bind $n free ports\n" unless @socks == $n;
    return map { $_->sockport } @socks;
}

sub write_file
{
    my ($self, $name, $content) = @_;
    my $path = $name =~ m{^/} ? $name : "$self->{dir}/$name";
    make_path(dirname($path));
    open my $fh, '>', $path or die "cannot write $path: $!\n";
    binmode $fh;
    print $fh $content;
    close $fh;
    return $path;
}

sub read_file
{
    my ($self, $name) = @_;
    my $path = $name =~ m{^/} ? $name : "$self->{dir}/$name";
    open my $fh, '<', $path or return '';
    binmode $fh;
    local $/;
    return scalar <$fh>;
}

# The template is either a full "http { ... }" block or only its content.
sub write_conf
{
    my ($self, $template) = @_;
    my $d = $self->{dir};

    $template =~ s/%%PORT%%/$self->{port}/g;
    $template =~ s/%%PORT2%%/$self->{port2}/g;
    $template =~ s/%%TESTDIR%%/$d/g;

    my $http = join '', map { "    ${_}_temp_path $d/tmp_$_;\n" }
        qw(client_body proxy fastcgi uwsgi scgi);
    $http .= "    access_log off;\n";

    $template = "http {\n$template\n}\n" unless $template =~ /^\s*http\s*\{/m;
    $template =~ s/^(\s*http\s*\{[^\n]*\n)/$1$http/m;

    my $main = '';
    $main .= "load_module $self->{module};\n" if defined $self->{module};
    $main .= <<"EOF";
daemon off;
master_process on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;

events {}

EOF
    $self->write_file('nginx.conf', $main . $template);
    return $self;
}

# The text of examples/NAME, started as "make run" starts such a file,
# pointed at this instance: the module from MODULE_SO, run/ in the test
# directory, static roots under examples/ in the repository, and the
# example's ports 127.0.0.1:8080 and :8081 (more in %ports, e.g.
# 8082 => $port) on this instance's ports. Nothing is written yet.
sub example_conf
{
    my ($self, $name, %ports) = @_;
    my $conf = slurp("$REPO/examples/$name");
    my %port = (8080 => $self->{port}, 8081 => $self->{port2}, %ports);

    $conf =~ s{^load_module objs/ngx_http_auth_jwt_module\.so;}
              {load_module $self->{module};\ndaemon off;\nmaster_process on;}m
        or die "examples/$name does not load objs/ngx_http_auth_jwt_module.so\n";
    $conf =~ s{\brun/}{$self->{dir}/}g;
    $conf =~ s{(root\s+)examples/}{$1$REPO/examples/}g;
    $conf =~ s{127\.0\.0\.1:(\d+)\b}
              {'127.0.0.1:' . ($port{$1} // $1)}ge;
    make_path("$self->{dir}/tmp");
    return $conf;
}

sub slurp
{
    my ($path) = @_;
    open my $fh, '<', $path or die "$path: $!\n";
    binmode $fh;
    local $/;
    return scalar <$fh>;
}

# The line number in nginx.conf of the first line matching $re.
sub conf_line
{
    my ($self, $re) = @_;
    my @lines = split /\n/, $self->read_file('nginx.conf');
    for my $i (0 .. $#lines) {
        return $i + 1 if $lines[$i] =~ $re;
    }
    return undef;
}

sub _command
{
    my ($self, @args) = @_;
    my @prefix = $ENV{NGINX_VALGRIND} ? split(' ', $ENV{NGINX_VALGRIND}) : ();
    return (@prefix, nginx_bin(), '-p', "$self->{dir}/",
            '-c', $self->conf_path, @args);
}

sub _child_env
{
    $ENV{LD_PRELOAD} = $ENV{NGINX_PRELOAD} if $ENV{NGINX_PRELOAD};
}

# Runs "nginx -t"; returns (exit status, or 128 + signal, and the output).
sub test_config
{
    my ($self) = @_;
    my @cmd = $self->_command('-t');

    my $pid = open(my $fh, '-|');
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        _child_env();
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "exec $cmd[0]: $!\n";
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return (($? & 127) ? 128 + ($? & 127) : $? >> 8, $out);
}

sub start
{
    my ($self) = @_;
    die "already running\n" if $self->{pid};

    $self->{log_start} = -s $self->error_log || 0;

    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        _child_env();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$self->{dir}/stderr.log";
        open STDERR, '>&', \*STDOUT;
        exec $self->_command or die "exec: $!\n";
    }
    $self->{pid} = $pid;

    my @ports = ($self->{port});
    push @ports, $self->{port2}
        if $self->read_file('nginx.conf') =~ /:$self->{port2}\b/;

    my $deadline = time + ($ENV{NGINX_VALGRIND} ? 120 : 15);
    for my $port (@ports) {
        until (IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")) {
            if (waitpid($pid, WNOHANG) == $pid) {
                delete $self->{pid};
                die "nginx exited while starting (status $?):\n"
                    . $self->read_file('error.log')
                    . $self->read_file('stderr.log');
            }
            die "nginx did not listen on $port\n" if time > $deadline;
            Time::HiRes::sleep(0.05);
        }
    }
    return $self;
}

# Stops nginx, then checks its logs as one test.
sub stop
{
    my ($self) = @_;
    $self->_stop;
    my @bad = $self->bad_log_lines;
    Test::More::ok(!@bad, 'no alert, crit, crash or sanitizer report in logs')
        or Test::More::diag(join "\n", @bad);
    return $self;
}

sub _stop
{
    my ($self) = @_;
    kill 'KILL', @{ delete $self->{stubs} || [] };
    my $pid = delete $self->{pid} or return;

    for my $sig (qw(QUIT TERM KILL)) {
        kill $sig, $pid;
        my $deadline = time + ($ENV{NGINX_VALGRIND} ? 60 : 10);
        while (time <= $deadline) {
            return if waitpid($pid, WNOHANG) == $pid;
            Time::HiRes::sleep(0.05);
        }
    }
}

sub bad_log_lines
{
    my ($self) = @_;
    my $log = $self->read_file('error.log');
    my $start = $self->{log_start} // length $log;
    my $before = substr($log, 0, $start);
    my $after = substr($log, $start) . $self->read_file('stderr.log');

    return (grep({ $_ =~ $BAD_ANY } split /\n/, $before),
            grep({ $_ =~ $BAD_ANY || $_ =~ $BAD_AFTER_START }
                 split /\n/, $after));
}

END {
    my $rc = $?;
    for my $t (@INSTANCES) {
        kill 'KILL', @{ $t->{stubs} || [] };
        next unless $t->{pid};
        $t->_stop;
        if (my @bad = $t->bad_log_lines) {
            Test::More::diag("bad lines in $t->{dir}:\n" . join "\n", @bad);
            $rc ||= 1;
        }
    }
    $? = $rc;
}

# A stand-in HTTP server for a key provider, in a child process: each
# request waits $opt{delay} seconds (default 0), is recorded as one line
# (request line and Authorization header) in $opt{hits} under the test
# directory, and is answered 200 with the current content of $opt{file}.
# One request at a time, like a slow provider. Returns its port.
sub stub_server
{
    my ($self, %opt) = @_;
    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                       LocalPort => 0, Proto => 'tcp',
                                       Listen => 16, ReuseAddr => 1)
        or die "stub server: $!\n";
    my $hits = "$self->{dir}/$opt{hits}";
    my $file = "$self->{dir}/$opt{file}";

    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        # never return into the test: its END block stops the nginx
        eval { _serve_stub($listen, $hits, $file, $opt{delay}) };
        POSIX::_exit(0);
    }
    push @{ $self->{stubs} }, $pid;
    my $port = $listen->sockport;
    close $listen;
    return $port;
}

sub _serve_stub
{
    my ($listen, $hits, $file, $delay) = @_;
    while (my $c = $listen->accept) {
        my $head = '';
        while ($head !~ /\r\n\r\n/ && $c->sysread(my $buf, 4096)) {
            $head .= $buf;
        }
        my ($line) = $head =~ /^([^\r\n]*)/;
        my ($auth) = $head =~ /^Authorization:\s*([^\r\n]*)/mi;
        open my $log, '>>', $hits or die "$hits: $!\n";
        print $log "$line auth=" . ($auth // '') . "\n";
        close $log;
        Time::HiRes::sleep($delay || 0);
        my $body = -e $file ? slurp($file) : '';
        $c->syswrite("HTTP/1.1 200 OK\r\nContent-Type: application/json"
                     . "\r\nContent-Length: " . length($body)
                     . "\r\nConnection: close\r\n\r\n$body");
        close $c;
    }
}

# Size of error.log now; pass it to log_since() after a request.
sub log_mark { -s $_[0]->error_log || 0 }

sub log_since
{
    my ($self, $mark) = @_;
    my $log = $self->read_file('error.log');
    return length $log > $mark ? substr($log, $mark) : '';
}

# HTTP

sub http_get
{
    my ($self, $path, @headers) = @_;
    my $req = "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    while (my ($name, $value) = splice @headers, 0, 2) {
        $req .= "$name: $value\r\n";
    }
    return $self->http("$req\r\n");
}

# Sends raw bytes; returns (status, {lowercase name => value}, body).
# Repeated headers are joined with ", ". Status is undef if the server
# closed the connection without a response.
sub http
{
    my ($self, $request, %opt) = @_;
    my $port = $opt{port} || $self->{port};

    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")
        or die "connect to $port: $!\n";

    my $reply = '';
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        local $SIG{PIPE} = 'IGNORE';
        alarm($ENV{NGINX_VALGRIND} ? 60 : 10);
        $s->syswrite($request);
        while ($s->sysread(my $buf, 65536)) {
            $reply .= $buf;
        }
        alarm 0;
    };
    alarm 0;
    die $@ if $@ && $@ eq "timeout\n";
    close $s;

    my ($head, $body) = split /\r\n\r\n/, $reply, 2;
    return (undef, {}, '') unless defined $head
        && $head =~ s{^HTTP/\d\.\d (\d{3})[^\r\n]*(?:\r\n|$)}{};
    my $status = $1;

    my %h;
    for my $line (split /\r\n/, $head) {
        my ($name, $value) = $line =~ /^([^:]+):\s*(.*)$/ or next;
        $name = lc $name;
        $h{$name} = exists $h{$name} ? "$h{$name}, $value" : $value;
    }
    return ($status, \%h, $body // '');
}

# The common check: a request with "Authorization: Bearer $token" (none if
# $token is undef) gets $status and, if $result is defined, the header
# X-Jwt-Result (tests configure "add_header X-Jwt-Result $jwt_result
# always;"). A 401 must log exactly one auth_jwt line at info with the
# reason code, and never the token.
sub auth_is
{
    my ($self, $path, $token, $status, $result, $name, @headers) = @_;
    my $mark = $self->log_mark;

    push @headers, Authorization => "Bearer $token" if defined $token;
    my ($st, $h) = $self->http_get($path, @headers);

    my $ok = Test::More::is($st, $status, "$name: status");
    if (defined $result) {
        $ok &= Test::More::is($h->{'x-jwt-result'}, $result,
                              "$name: \$jwt_result");
    }
    return $ok unless defined $st && $st == 401;

    my $log = $self->log_since($mark);
    # the verdicts; other auth_jwt lines (a key fetch) may come along
    my @lines = grep { /auth_jwt:.*result "/ } split /\n/, $log;
    my $code = $result // $h->{'x-jwt-result'} // '';
    my @leaks = grep { length $_ >= 16 && index($log, $_) >= 0 }
        grep { defined } $token, split /\./, $token // '';
    $ok &= Test::More::ok(@lines == 1 && $lines[0] =~ /\[info\]/
                          && $lines[0] =~ /\b\Q$code\E\b/ && !@leaks,
                          "$name: one info log line with \"$code\", no token")
        or Test::More::diag(@lines ? join "\n", @lines : 'no auth_jwt line');
    return $ok;
}

# Keys, generated with openssl into keys/ under the test dir.
# Types: rsa (2048), rsa1024, p256, p384, p521, ed25519.

my %GENPKEY = (
    rsa     => [qw(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)],
    rsa1024 => [qw(-algorithm RSA -pkeyopt rsa_keygen_bits:1024)],
    p256    => [qw(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)],
    p384    => [qw(-algorithm EC -pkeyopt ec_paramgen_curve:P-384)],
    p521    => [qw(-algorithm EC -pkeyopt ec_paramgen_curve:P-521)],
    ed25519 => [qw(-algorithm ED25519)],
);

sub _run
{
    my (@cmd) = @_;
    my $pid = open(my $fh, '-|');
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "exec $cmd[0]: $!\n";
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    die "@cmd failed: $out\n" if $?;
    return $out;
}

# Returns { key => Crypt::PK private key, pub => 'keys/NAME.pub' (relative
# to the conf dir), pub_pem => text, jwk => public JWK hash, priv => file }.
sub keypair
{
    my ($self, $name, $type) = @_;
    return $self->{keys}{$name} if $self->{keys}{$name};
    my $gen = $GENPKEY{$type} or die "unknown key type $type\n";

    make_path("$self->{dir}/keys");
    my $priv = "$self->{dir}/keys/$name.key";
    my $pub = "$self->{dir}/keys/$name.pub";
    _run('openssl', 'genpkey', @$gen, '-out', $priv);
    _run('openssl', 'pkey', '-in', $priv, '-pubout', '-out', $pub);

    my $class = $type =~ /^rsa/ ? 'Crypt::PK::RSA'
              : $type =~ /^p/ ? 'Crypt::PK::ECC' : 'Crypt::PK::Ed25519';
    my $pk = $class->new($priv);

    return $self->{keys}{$name} = {
        key     => $pk,
        priv    => $priv,
        pub     => "keys/$name.pub",
        pub_pem => $self->read_file($pub),
        jwk     => $pk->export_key_jwk('public', 1),
    };
}

# A self-signed certificate for a keypair; returns its relative path.
sub cert
{
    my ($self, $name) = @_;
    my $kp = $self->{keys}{$name} or die "no keypair $name\n";
    _run('openssl', 'req', '-x509', '-new', '-key', $kp->{priv},
         '-subj', "/CN=$name", '-days', '2', '-out',
         "$self->{dir}/keys/$name.crt");
    return "keys/$name.crt";
}

# Tokens

# Copies first: CryptX ignores the magic of an lvalue such as substr().
sub b64u { my ($bytes) = @_; return encode_b64u($bytes) }
sub unb64u { my ($text) = @_; return decode_b64u($text) }

my $JSON = JSON::PP->new->canonical->allow_nonref;
sub json { $JSON->encode($_[0]) }

sub _pk { ref $_[0] eq 'HASH' ? $_[0]{key} : $_[0] }

# jwt($alg, $key, \%claims, \%header): claims default to sub "alice" and
# exp in 5 minutes; a claim given as undef is left out. $key is an HMAC
# secret string or a keypair from keypair().
sub jwt
{
    my ($alg, $key, $claims, $header) = @_;
    my %c = (sub => 'alice', exp => time + 300, %{ $claims || {} });
    delete @c{ grep { !defined $c{$_} } keys %c };

    return encode_jwt(alg => $alg, key => _pk($key), payload => \%c,
                      extra_headers => $header || {},
                      allow_none => 1);
}

# A token from exact header and payload bytes (no JSON re-encoding).
sub sign_raw
{
    my ($alg, $key, $header, $payload) = @_;
    my $data = b64u($header) . '.' . b64u($payload);
    my ($bits) = $alg =~ /(\d+)$/;
    my $pk = _pk($key);

    my $sig = $alg =~ /^HS/ ? hmac("SHA$bits", $key, $data)
            : $alg =~ /^RS/ ? $pk->sign_message($data, "SHA$bits", 'v1.5')
            : $alg =~ /^PS/ ? $pk->sign_message($data, "SHA$bits", 'pss',
                                                $bits / 8)
            : $alg =~ /^ES/ ? $pk->sign_message_rfc7518($data, "SHA$bits")
            : $alg eq 'EdDSA' ? $pk->sign_message($data)
            : '';
    return "$data." . b64u($sig);
}

# Flips one bit in the middle of the signature, keeping it canonical.
sub tamper_sig
{
    my ($token) = @_;
    my ($h, $p, $s) = split /\./, $token, 3;
    my $sig = unb64u($s);
    substr($sig, length($sig) / 2, 1) ^= "\x01";
    return "$h.$p." . b64u($sig);
}

# Replaces the payload, keeping the old signature.
sub tamper_payload
{
    my ($token, $claims) = @_;
    my ($h, undef, $s) = split /\./, $token, 3;
    return "$h." . b64u(json($claims)) . ".$s";
}

1;
