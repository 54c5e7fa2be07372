/*
 * The benchmark's control: an nginx module whose access handler does the
 * public-key operation of a JWT check and nothing else, so that bench/run
 * can measure, in the same nginx and under the same load, the most any JWT
 * module could reach with OpenSSL on this machine.
 *
 *     location /ctl_rs256/ { bench_verify_signature keys/rsa.pub tokens/rs256; }
 *
 * At configuration time it reads the public key and a compact JWS, hashes
 * the signing input, turns an ECDSA R || S into DER and sets up the
 * verification context; each request then runs only EVP_PKEY_verify (RSA,
 * EC) or EVP_DigestVerify (Ed25519) over those fixed bytes, exactly the
 * work "openssl speed" times. A failed verification answers 500, so a
 * control that does not verify cannot pass for a fast one.
 *
 * Benchmark code only: bench/run builds it into its own directory and
 * loads it beside ngx_http_auth_jwt_module.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>


typedef struct {
    EVP_PKEY      *pkey;
    EVP_PKEY_CTX  *pkey_ctx;     /* RSA and EC: prepared for EVP_PKEY_verify */
    EVP_MD_CTX    *md_ctx;       /* Ed25519: prepared for EVP_DigestVerify */
    u_char        *input;        /* the signing input (Ed25519) */
    size_t         input_len;
    u_char         digest[EVP_MAX_MD_SIZE];
    unsigned int   digest_len;
    u_char        *sig;
    size_t         sig_len;
} ngx_http_bench_verify_t;


typedef struct {
    ngx_http_bench_verify_t  *verify;
} ngx_http_bench_verify_loc_conf_t;


static char *ngx_http_bench_verify(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static void *ngx_http_bench_verify_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_bench_verify_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_bench_verify_init(ngx_conf_t *cf);


static ngx_command_t  ngx_http_bench_verify_commands[] = {

    { ngx_string("bench_verify_signature"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_bench_verify,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_bench_verify_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_bench_verify_init,            /* postconfiguration */
    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */
    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */
    ngx_http_bench_verify_create_loc_conf, /* create location configuration */
    ngx_http_bench_verify_merge_loc_conf   /* merge location configuration */
};


ngx_module_t  ngx_http_bench_verify_module = {
    NGX_MODULE_V1,
    &ngx_http_bench_verify_module_ctx,     /* module context */
    ngx_http_bench_verify_commands,        /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_bench_verify_handler(ngx_http_request_t *r)
{
    int                                rc;
    ngx_http_bench_verify_t           *v;
    ngx_http_bench_verify_loc_conf_t  *blcf;

    blcf = ngx_http_get_module_loc_conf(r, ngx_http_bench_verify_module);
    v = blcf->verify;

    if (v == NULL) {
        return NGX_DECLINED;
    }

    if (v->pkey_ctx != NULL) {
        rc = EVP_PKEY_verify(v->pkey_ctx, v->sig, v->sig_len,
                             v->digest, v->digest_len);

    } else {
        rc = EVP_DigestVerify(v->md_ctx, v->sig, v->sig_len,
                              v->input, v->input_len);

        if (rc != 1) {
            /* OpenSSL 3.2 and later finalise the context: set it up again */
            if (EVP_DigestVerifyInit(v->md_ctx, NULL, NULL, NULL, v->pkey)
                == 1)
            {
                rc = EVP_DigestVerify(v->md_ctx, v->sig, v->sig_len,
                                      v->input, v->input_len);
            }
        }
    }

    if (rc != 1) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "bench_verify_signature: the signature did not verify");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DECLINED;
}


static void
ngx_http_bench_verify_cleanup(void *data)
{
    ngx_http_bench_verify_t  *v = data;

    EVP_PKEY_CTX_free(v->pkey_ctx);
    EVP_MD_CTX_free(v->md_ctx);
    EVP_PKEY_free(v->pkey);
}


static ngx_int_t
ngx_http_bench_verify_decode(ngx_pool_t *pool, ngx_str_t *in, ngx_str_t *out)
{
    out->data = ngx_pnalloc(pool, ngx_base64_decoded_length(in->len));
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    return ngx_decode_base64url(out, in);
}


/* R || S as JWS carries it, into the DER ECDSA-Sig-Value OpenSSL takes */
static ngx_int_t
ngx_http_bench_verify_ecdsa_der(ngx_pool_t *pool, ngx_str_t *sig)
{
    int         len;
    u_char     *p;
    BIGNUM     *br, *bs;
    ECDSA_SIG  *es;

    es = ECDSA_SIG_new();
    br = BN_bin2bn(sig->data, sig->len / 2, NULL);
    bs = BN_bin2bn(sig->data + sig->len / 2, sig->len / 2, NULL);

    if (es == NULL || br == NULL || bs == NULL
        || ECDSA_SIG_set0(es, br, bs) != 1)
    {
        ECDSA_SIG_free(es);
        BN_free(br);
        BN_free(bs);
        return NGX_ERROR;
    }

    len = i2d_ECDSA_SIG(es, NULL);
    p = (len > 0) ? ngx_pnalloc(pool, len) : NULL;

    if (p == NULL) {
        ECDSA_SIG_free(es);
        return NGX_ERROR;
    }

    sig->data = p;
    sig->len = i2d_ECDSA_SIG(es, &p);
    ECDSA_SIG_free(es);

    return NGX_OK;
}


static char *
ngx_http_bench_verify_setup(ngx_conf_t *cf, ngx_http_bench_verify_t *v,
    ngx_str_t *input, ngx_str_t *sig)
{
    int  type;

    type = EVP_PKEY_get_base_id(v->pkey);

    if (type == EVP_PKEY_ED25519) {
        v->input = input->data;
        v->input_len = input->len;
        v->md_ctx = EVP_MD_CTX_new();

        if (v->md_ctx == NULL
            || EVP_DigestVerifyInit(v->md_ctx, NULL, NULL, NULL, v->pkey)
               != 1)
        {
            return "cannot set up Ed25519";
        }

        return NGX_CONF_OK;
    }

    if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
        return "takes an RSA, EC or Ed25519 public key";
    }

    if (type == EVP_PKEY_EC
        && ngx_http_bench_verify_ecdsa_der(cf->pool, sig) != NGX_OK)
    {
        return "cannot encode the ECDSA signature";
    }

    if (EVP_Digest(input->data, input->len, v->digest, &v->digest_len,
                   EVP_sha256(), NULL) != 1)
    {
        return "cannot hash the signing input";
    }

    v->pkey_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, v->pkey, NULL);

    if (v->pkey_ctx == NULL
        || EVP_PKEY_verify_init(v->pkey_ctx) != 1
        || EVP_PKEY_CTX_set_signature_md(v->pkey_ctx, EVP_sha256()) != 1
        || (type == EVP_PKEY_RSA
            && EVP_PKEY_CTX_set_rsa_padding(v->pkey_ctx, RSA_PKCS1_PADDING)
               != 1))
    {
        return "cannot set up the verification";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_bench_verify(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_bench_verify_loc_conf_t *blcf = conf;

    char                     *rv;
    BIO                      *bio;
    u_char                   *dot, *end;
    ngx_str_t                *value, token, input, b64sig, sig;
    ngx_file_t                file;
    ngx_pool_cleanup_t       *cln;
    ngx_http_bench_verify_t  *v;

    if (blcf->verify != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_conf_full_name(cf->cycle, &value[1], 1) != NGX_OK
        || ngx_conf_full_name(cf->cycle, &value[2], 1) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    v = ngx_pcalloc(cf->pool, sizeof(ngx_http_bench_verify_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (v == NULL || cln == NULL) {
        return NGX_CONF_ERROR;
    }
    cln->handler = ngx_http_bench_verify_cleanup;
    cln->data = v;

    bio = BIO_new_file((char *) value[1].data, "r");
    if (bio != NULL) {
        v->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    if (v->pkey == NULL) {
        return "cannot read the public key";
    }

    /* the compact JWS, up to its first whitespace */
    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = value[2];
    file.log = cf->log;
    file.fd = ngx_open_file(value[2].data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        return "cannot open the token";
    }

    token.data = ngx_pnalloc(cf->pool, 16384);
    token.len = (token.data == NULL)
                ? 0 : (size_t) ngx_read_file(&file, token.data, 16384, 0);
    ngx_close_file(file.fd);

    if (token.len == 0 || token.len == (size_t) NGX_ERROR) {
        return "cannot read the token";
    }

    end = token.data;
    while (end < token.data + token.len && *end > ' ') {
        end++;
    }
    token.len = end - token.data;

    dot = token.data + token.len;
    while (dot > token.data && dot[-1] != '.') {
        dot--;
    }
    if (dot == token.data) {
        return "the token has no signature";
    }

    input.data = token.data;
    input.len = dot - 1 - token.data;
    b64sig.data = dot;
    b64sig.len = end - dot;

    if (ngx_http_bench_verify_decode(cf->pool, &b64sig, &sig) != NGX_OK) {
        return "the token's signature is not base64url";
    }

    rv = ngx_http_bench_verify_setup(cf, v, &input, &sig);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    v->sig = sig.data;
    v->sig_len = sig.len;
    blcf->verify = v;

    return NGX_CONF_OK;
}


static void *
ngx_http_bench_verify_create_loc_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_bench_verify_loc_conf_t));
}


static char *
ngx_http_bench_verify_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    /* not inherited: only the location that names it verifies */
    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_bench_verify_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_bench_verify_handler;

    return NGX_OK;
}
