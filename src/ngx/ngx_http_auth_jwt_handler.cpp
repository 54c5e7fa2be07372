/*
 * The request path: find the token, verify it once per request, and answer
 * from the access phase.
 */

#include <new>

#include "ngx_http_auth_jwt.hpp"


namespace {

std::string_view
view(const u_char *data, size_t len) noexcept
{
    return std::string_view(reinterpret_cast<const char *>(data), len);
}


/* RFC 6750 2.1: credentials = "Bearer" 1*SP b64token; the scheme is
 * case-insensitive (RFC 7235 2.1). Anything else is no bearer token. */
bool
ngx_http_auth_jwt_bearer(ngx_str_t *value, ngx_str_t *token) noexcept
{
    static const char  scheme[] = "bearer";
    size_t             n = sizeof(scheme) - 1;
    u_char            *p, *last;

    if (value->len <= n || value->data[n] != ' '
        || ngx_strncasecmp(value->data, (u_char *) scheme, n) != 0)
    {
        return false;
    }

    p = value->data + n;
    last = value->data + value->len;

    while (p < last && *p == ' ') {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t')) {
        last--;
    }

    token->data = p;
    token->len = last - p;

    return token->len != 0;
}


/* The first configured source that yields a token. */
bool
ngx_http_auth_jwt_find_token(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t *token) noexcept
{
    ngx_uint_t                   i;
    ngx_http_variable_value_t   *vv;
    ngx_http_auth_jwt_source_t  *sources;

    sources = static_cast<ngx_http_auth_jwt_source_t *>(ajcf->sources->elts);

    for (i = 0; i < ajcf->sources->nelts; i++) {
        vv = ngx_http_get_indexed_variable(r, sources[i].index);

        if (vv == NULL || vv->not_found || vv->len == 0) {
            continue;
        }

        ngx_str_t  value = { vv->len, vv->data };

        if (!sources[i].bearer) {
            *token = value;
            return true;
        }

        if (ngx_http_auth_jwt_bearer(&value, token)) {
            return true;
        }
    }

    return false;
}


authjwt::Status
ngx_http_auth_jwt_check(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_str_t               token;
    u_char                 *scratch;
    size_t                  size;
    authjwt::VerifyOptions  options;

    if (!ngx_http_auth_jwt_find_token(r, ajcf, &token)) {
        return authjwt::Status::Missing;
    }

    /* refuse before allocating anything for an oversized token */
    if (token.len > ajcf->max_size) {
        return authjwt::Status::TooLarge;
    }

    size = authjwt::tokenScratchSize(token.len);

    scratch = static_cast<u_char *>(ngx_pnalloc(r->pool, size));
    if (scratch == NULL) {
        return authjwt::Status::InternalError;
    }

    options.allowed = authjwt::AlgSet::fromBits(
        static_cast<std::uint32_t>(ajcf->allowed_bits));
    options.time.requireExp = ajcf->require_exp;
    options.time.leewaySeconds = ajcf->leeway;
    options.maxSize = ajcf->max_size;

    return authjwt::verifyCompact(view(token.data, token.len), *ajcf->keys,
                                  options, ngx_time(), scratch, size,
                                  ctx->verified);
}


void
ngx_http_auth_jwt_cleanup_ctx(void *data) noexcept
{
    static_cast<ngx_http_auth_jwt_ctx_t *>(data)->~ngx_http_auth_jwt_ctx_t();
}


/* The context lives in the request pool; its C++ members (parsed JSON)
 * are released by a pool cleanup, even if an internal redirect drops the
 * module's context pointer. */
ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_create_ctx(ngx_http_request_t *r) noexcept
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_auth_jwt_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    auto ctx = new (cln->data) ngx_http_auth_jwt_ctx_t();
    cln->handler = ngx_http_auth_jwt_cleanup_ctx;

    return ctx;
}


ngx_int_t
ngx_http_auth_jwt_challenge(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, authjwt::Status status) noexcept
{
    ngx_table_elt_t  *h;

    h = static_cast<ngx_table_elt_t *>(
        ngx_list_push(&r->headers_out.headers));
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "WWW-Authenticate");
    h->value = authjwt::tokenWasPresented(status) ? ajcf->challenge_invalid
                                                  : ajcf->challenge;

    r->headers_out.www_authenticate = h;

    return NGX_HTTP_UNAUTHORIZED;
}

}  /* namespace */


/* Subrequests share the verdict of their main request. */
ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_get_ctx(ngx_http_request_t *r) noexcept
{
    return static_cast<ngx_http_auth_jwt_ctx_t *>(
        ngx_http_get_module_ctx(r->main, ngx_http_auth_jwt_module));
}


/* Verifies the request's token once. Returns NULL on an internal
 * failure. */
ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_verify(ngx_http_request_t *r) noexcept
{
    ngx_http_auth_jwt_ctx_t       *ctx;
    ngx_http_auth_jwt_loc_conf_t  *ajcf;

    ctx = ngx_http_auth_jwt_get_ctx(r);
    if (ctx != NULL) {
        return ctx;
    }

    ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_auth_jwt_module));

    ctx = ngx_http_auth_jwt_create_ctx(r);
    if (ctx == NULL) {
        return NULL;
    }

    ctx->status = ngx_http_auth_jwt_check(r, ajcf, ctx);

    if (ctx->status == authjwt::Status::InternalError) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: %s", authjwt::statusPhrase(ctx->status));

    } else if (ctx->status != authjwt::Status::Ok) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "auth_jwt: %s, result \"%s\"",
                      authjwt::statusPhrase(ctx->status),
                      authjwt::statusCode(ctx->status));
    }

    ngx_http_set_ctx(r->main, ctx, ngx_http_auth_jwt_module);

    return ctx;
}


ngx_int_t
ngx_http_auth_jwt_handler(ngx_http_request_t *r) noexcept
{
    ngx_http_auth_jwt_ctx_t       *ctx;
    ngx_http_auth_jwt_loc_conf_t  *ajcf;

    ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_auth_jwt_module));

    if (!ajcf->enable) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_auth_jwt_verify(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    switch (ctx->status) {

    case authjwt::Status::Ok:
        return NGX_OK;

    case authjwt::Status::InternalError:
        /* fail closed */
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    default:
        return ngx_http_auth_jwt_challenge(r, ajcf, ctx->status);
    }
}
