# The harness itself, against plain nginx (no module needed).

use strict;
use warnings;

use Test::More;
use Crypt::JWT qw(decode_jwt);

use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/lib';
use JwtTest;

my $t = JwtTest->new(module => undef);
$t->write_file('html/ok', "ok\n");
$t->write_conf(<<'EOF');
http {
    server {
        listen 127.0.0.1:%%PORT%%;
        root %%TESTDIR%%/html;

        location / {
            add_header X-Multi one;
            add_header X-Multi two;
        }
        location /echo {
            proxy_pass http://127.0.0.1:%%PORT2%%;
            proxy_set_header X-Sub "from-front";
        }
    }
    server {
        listen 127.0.0.1:%%PORT2%%;
        location / { return 200 "sub=$http_x_sub\n"; }
    }
}
EOF

my ($rc, $out) = $t->test_config;
is($rc, 0, 'nginx -t passes') or diag($out);

$t->start;

my ($st, $h, $body) = $t->http_get('/ok');
is($st, 200, 'static file');
is($body, "ok\n", 'static body');
is($h->{'x-multi'}, 'one, two', 'repeated headers joined');
like($h->{server}, qr/nginx/, 'lowercase header names');

($st, undef, $body) = $t->http_get('/echo');
is($st, 200, 'proxied');
is($body, "sub=from-front\n", 'header reached the backend');

($st) = $t->http_get('/missing');
is($st, 404, 'missing file');

$t->stop;

# A negative nginx -t names the file and line.
my $bad = JwtTest->new(module => undef);
$bad->write_conf(<<'EOF');
server {
    listen 127.0.0.1:%%PORT%%;
    no_such_directive on;
}
EOF
($rc, $out) = $bad->test_config;
isnt($rc, 0, 'nginx -t fails');
my $line = $bad->conf_line(qr/no_such_directive/);
my $conf = $bad->conf_path;
like($out, qr/unknown directive "no_such_directive" in \Q$conf\E:$line/,
     'message names directive, file and line');

# Keys and tokens.
for my $case ([rsa => 'RS256'], [rsa => 'PS384'], [p256 => 'ES256'],
              [p384 => 'ES384'], [p521 => 'ES512'], [ed25519 => 'EdDSA']) {
    my ($type, $alg) = @$case;
    my $kp = $t->keypair($type, $type);
    my $tok = jwt($alg, $kp);
    my $claims = eval { decode_jwt(token => $tok, key => $kp->{jwk}) };
    is($claims && $claims->{sub}, 'alice', "$alg token verifies with its JWK")
        or diag($@);
    my $raw = sign_raw($alg, $kp, json({alg => $alg}), json({sub => 'bob'}));
    $claims = eval { decode_jwt(token => $raw, key => $kp->{jwk}) };
    is($claims && $claims->{sub}, 'bob', "$alg sign_raw verifies");
    ok(!eval { decode_jwt(token => tamper_sig($tok), key => $kp->{jwk}) },
       "$alg tamper_sig breaks it");
}

my $secret = 'k' x 64;
my $tok = jwt('HS512', $secret, {role => 'x', exp => undef});
my $claims = decode_jwt(token => $tok, key => $secret, verify_exp => 0);
is_deeply($claims, {sub => 'alice', role => 'x'}, 'HS512, exp left out');

like($t->read_file($t->cert('rsa')), qr/BEGIN CERTIFICATE/, 'certificate');

done_testing;
