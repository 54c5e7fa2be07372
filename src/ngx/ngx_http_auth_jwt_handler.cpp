/*
 * The request path: find the token, verify it once per request, and answer
 * from the access phase.
 */

#include <new>

#include "ngx_http_auth_jwt.hpp"


namespace {

/* RFC 6750 2.1: credentials = "Bearer" 1*SP b64token; the scheme is
 * case-insensitive (RFC 7235 2.1). Anything else is no bearer token. */
bool
ngx_http_auth_jwt_bearer(ngx_str_t *value, ngx_str_t *token) noexcept
{
    ngx_str_t   scheme = ngx_string_value("bearer");
    size_t      n = scheme.len;
    u_char     *p, *last;

    if (value->len <= n || value->data[n] != ' '
        || ngx_strncasecmp(value->data, scheme.data, n) != 0)
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
ngx_http_auth_jwt_source_t *
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
            return &sources[i];
        }

        if (ngx_http_auth_jwt_bearer(&value, token)) {
            return &sources[i];
        }
    }

    return NULL;
}


authjwt::Status
ngx_http_auth_jwt_check(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_str_t               token;
    u_char                 *scratch;
    size_t                  size;
    authjwt::Status         status;
    authjwt::VerifyOptions  options;

    ctx->source = ngx_http_auth_jwt_find_token(r, ajcf, &token);
    if (ctx->source == NULL) {
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

    const authjwt::KeySet  &keys = ngx_http_auth_jwt_keys_get(r, ajcf->keys);

    /* only keys from a key request can be missing */
    if (keys.empty()) {
        return authjwt::Status::KeysUnavailable;
    }

    /* the allowlist meets the keys as they are now: reloaded key files
     * may bring other types */
    options.allowed = authjwt::AlgSet::fromBits(
                          static_cast<std::uint32_t>(ajcf->listed_bits))
                      & keys.algs();
    options.time.requireExp = ajcf->require_exp;
    options.time.leewaySeconds = ajcf->leeway;
    options.time.maxLifetimeSeconds = ajcf->max_lifetime;
    options.maxSize = ajcf->max_size;
    options.issuers = ajcf->issuers;
    options.audiences = ajcf->audiences;
    options.deferPayload = true;
    options.cache = ajcf->cache;

    status = authjwt::verifyCompact(ngx_http_auth_jwt_view(token), keys,
                                    options, ngx_time(), scratch, size,
                                    ctx->verified);

    /* only a token that verified is looked up: a forged one never
     * touches the list */
    if (status == authjwt::Status::Ok && ajcf->revoke != NULL) {
        status = ngx_http_auth_jwt_revoke_check(r, ajcf->revoke,
                                                ctx->verified);
    }

    return status;
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
ngx_http_auth_jwt_answer(ngx_http_request_t *r, ngx_str_t name,
    ngx_str_t value, ngx_int_t status) noexcept
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
    h->key = name;
    h->value = value;

    if (status == NGX_HTTP_MOVED_TEMPORARILY) {
        ngx_http_clear_location(r);
        r->headers_out.location = h;

    } else {
        r->headers_out.www_authenticate = h;
    }

    return status;
}


/* A refused or missing token: a browser location sends the client to its
 * login page, any other answers 401 with an RFC 6750 challenge. */
ngx_int_t
ngx_http_auth_jwt_unauthorized(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, authjwt::Status status) noexcept
{
    ngx_str_t  url;

    if (ajcf->login_url != NULL) {
        if (ngx_http_complex_value(r, ajcf->login_url, &url) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_auth_jwt_answer(r, ngx_string_value("Location"), url,
                                        NGX_HTTP_MOVED_TEMPORARILY);
    }

    return ngx_http_auth_jwt_answer(
               r, ngx_string_value("WWW-Authenticate"),
               authjwt::tokenWasPresented(status) ? ajcf->challenge_invalid
                                                  : ajcf->challenge,
               NGX_HTTP_UNAUTHORIZED);
}


/* A valid token the policy refuses: RFC 6750 3.1 "insufficient_scope"
 * for 403, "invalid_token" for 401. */
ngx_int_t
ngx_http_auth_jwt_policy_refused(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_int_t status) noexcept
{
    if (status != NGX_HTTP_FORBIDDEN && status != NGX_HTTP_UNAUTHORIZED) {
        return status;
    }

    return ngx_http_auth_jwt_answer(
               r, ngx_string_value("WWW-Authenticate"),
               status == NGX_HTTP_FORBIDDEN ? ajcf->challenge_scope
                                            : ajcf->challenge_invalid,
               status);
}


bool
ngx_http_auth_jwt_header_is(const ngx_str_t &key, const ngx_str_t &name)
    noexcept
{
    if (key.len != name.len) {
        return false;
    }

    /* nginx's $http_NAME matches "-" with "_", in any case */
    for (size_t i = 0; i < key.len; i++) {
        u_char  a = ngx_tolower(key.data[i]);
        u_char  b = ngx_tolower(name.data[i]);

        if (a != b && !((a == '-' || a == '_') && (b == '-' || b == '_'))) {
            return false;
        }
    }

    return true;
}


ngx_table_elt_t *
ngx_http_auth_jwt_find_header(ngx_http_request_t *r, ngx_str_t name)
    noexcept
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = static_cast<ngx_table_elt_t *>(part->elts);

        for (i = 0; i < part->nelts; i++) {
            if (ngx_http_auth_jwt_header_is(h[i].key, name)) {
                return &h[i];
            }
        }
    }

    return NULL;
}


/* A CORS preflight (an OPTIONS request announcing its method) carries no
 * credentials by design. */
bool
ngx_http_auth_jwt_preflight(ngx_http_request_t *r) noexcept
{
    return r->method == NGX_HTTP_OPTIONS
           && ngx_http_auth_jwt_find_header(
                  r, ngx_string_value("Access-Control-Request-Method"))
              != NULL;
}


/* The Cookie header without the cookie named name; empty if nothing is
 * left. */
bool
ngx_http_auth_jwt_drop_cookie(ngx_http_request_t *r, ngx_str_t *value,
    ngx_str_t name) noexcept
{
    u_char  *p, *last, *end, *eq, *out;

    out = static_cast<u_char *>(ngx_pnalloc(r->pool, value->len));
    if (out == NULL) {
        return false;
    }

    p = value->data;
    last = p + value->len;
    end = out;

    while (p < last) {
        while (p < last && (*p == ' ' || *p == ';')) {
            p++;
        }

        u_char  *pair = p;

        while (p < last && *p != ';') {
            p++;
        }

        eq = static_cast<u_char *>(ngx_strlchr(pair, p, '='));

        if (pair == p
            || (eq != NULL && static_cast<size_t>(eq - pair) == name.len
                && ngx_strncmp(pair, name.data, name.len) == 0))
        {
            continue;
        }

        if (end != out) {
            *end++ = ';';
            *end++ = ' ';
        }

        end = ngx_cpymem(end, pair, p - pair);
    }

    value->data = out;
    value->len = end - out;

    return true;
}


/* Removes the token from the request as upstreams will see it: the
 * Authorization header or other header it came in, or its cookie from
 * the Cookie header. The header list is rebuilt without them. */
ngx_int_t
ngx_http_auth_jwt_strip(ngx_http_request_t *r, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_str_t         drop, cookie, name;
    ngx_uint_t        i;
    ngx_list_t        headers;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *copy;

    if (ctx->source == NULL) {
        return NGX_OK;
    }

    name = ctx->source->name;
    ngx_str_null(&drop);
    ngx_str_null(&cookie);

    if (name.len > 5 && ngx_strncmp(name.data, "http_", 5) == 0) {
        drop.data = name.data + 5;
        drop.len = name.len - 5;

    } else if (name.len > 7 && ngx_strncmp(name.data, "cookie_", 7) == 0) {
        cookie.data = name.data + 7;
        cookie.len = name.len - 7;

    } else {
        return NGX_OK;
    }

    if (ngx_list_init(&headers, r->pool, 20, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = static_cast<ngx_table_elt_t *>(part->elts);

        for (i = 0; i < part->nelts; i++) {
            if (drop.len && ngx_http_auth_jwt_header_is(h[i].key, drop)) {
                continue;
            }

            copy = static_cast<ngx_table_elt_t *>(ngx_list_push(&headers));
            if (copy == NULL) {
                return NGX_ERROR;
            }

            *copy = h[i];

            if (cookie.len
                && ngx_http_auth_jwt_header_is(h[i].key,
                                               ngx_string_value("Cookie")))
            {
                if (!ngx_http_auth_jwt_drop_cookie(r, &copy->value, cookie)) {
                    return NGX_ERROR;
                }

                if (copy->value.len == 0) {
                    headers.last->nelts--;
                }
            }
        }
    }

    r->headers_in.headers = headers;

    /* read again if used later: "proxy_set_header Authorization
     * $http_authorization" then finds nothing to pass on */
    r->variables[ctx->source->index].valid = 0;
    r->variables[ctx->source->index].not_found = 0;

    if (drop.len
        && ngx_http_auth_jwt_header_is(drop,
                                       ngx_string_value("Authorization")))
    {
        r->headers_in.authorization = NULL;
    }

    return NGX_OK;
}


/* A valid token: the location's policy, then the token's removal. */
ngx_int_t
ngx_http_auth_jwt_accept(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_int_t  rc;

    rc = ngx_http_auth_jwt_check_policy(r, ajcf, ctx);
    if (rc != NGX_OK) {
        return ngx_http_auth_jwt_policy_refused(r, ajcf, rc);
    }

    if (ajcf->strip_token && ngx_http_auth_jwt_strip(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/* Whether the verdict may still change once keys are fetched: it is
 * logged when it is final. */
bool
ngx_http_auth_jwt_may_fetch(ngx_http_auth_jwt_loc_conf_t *ajcf,
    ngx_http_auth_jwt_ctx_t *ctx) noexcept
{
    return ajcf->keys->remote && ajcf->enable
           && (ctx->status == authjwt::Status::KeysUnavailable
               || ctx->status == authjwt::Status::UnknownKid);
}


/* Logs a refused token once: an internal error at "error", any other
 * refusal at "info". */
void
ngx_http_auth_jwt_log_verdict(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    if (ctx->logged) {
        return;
    }

    ctx->logged = true;

    if (ctx->status == authjwt::Status::InternalError) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: %s", authjwt::statusPhrase(ctx->status));

    } else if (ctx->status != authjwt::Status::Ok
               && !(ctx->status == authjwt::Status::Missing && ajcf->optional))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "auth_jwt: %s, result \"%s\"",
                      authjwt::statusPhrase(ctx->status),
                      authjwt::statusCode(ctx->status));
    }
}

}  /* namespace */


/* Whether two locations verify tokens alike, so that a verdict reached
 * under one holds under the other. */
bool
ngx_http_auth_jwt_same_verification(ngx_http_auth_jwt_loc_conf_t *a,
    ngx_http_auth_jwt_loc_conf_t *b) noexcept
{
    if (a == b) {
        return true;
    }

    if (a->keys != b->keys || a->listed_bits != b->listed_bits
        || a->require_exp != b->require_exp || a->leeway != b->leeway
        || a->max_lifetime != b->max_lifetime || a->max_size != b->max_size
        || a->issuers != b->issuers || a->audiences != b->audiences
        || a->revoke != b->revoke
        || a->sources->nelts != b->sources->nelts)
    {
        return false;
    }

    auto  sa = static_cast<ngx_http_auth_jwt_source_t *>(a->sources->elts);
    auto  sb = static_cast<ngx_http_auth_jwt_source_t *>(b->sources->elts);

    for (ngx_uint_t i = 0; i < a->sources->nelts; i++) {
        if (sa[i].index != sb[i].index || sa[i].bearer != sb[i].bearer) {
            return false;
        }
    }

    return true;
}


ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_module_ctx(ngx_http_request_t *r) noexcept
{
    return static_cast<ngx_http_auth_jwt_ctx_t *>(
        ngx_http_get_module_ctx(r, ngx_http_auth_jwt_module));
}


/* A verdict reached for r, or for its main request, whatever the
 * configuration; for variables where checks are off. */
ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_get_ctx(ngx_http_request_t *r) noexcept
{
    ngx_http_auth_jwt_ctx_t  *ctx;

    ctx = ngx_http_auth_jwt_module_ctx(r);

    return ctx != NULL ? ctx : ngx_http_auth_jwt_module_ctx(r->main);
}


/* The verdict for r under its current location's configuration: verified
 * once, and again only if "rewrite" or a location change brings r under
 * a configuration that verifies differently. A subrequest uses its main
 * request's verdict when that was reached alike. Returns NULL on an
 * internal failure. */
ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_verify(ngx_http_request_t *r) noexcept
{
    ngx_http_auth_jwt_ctx_t       *ctx;
    ngx_http_auth_jwt_loc_conf_t  *ajcf;

    ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_auth_jwt_module));

    ctx = ngx_http_auth_jwt_module_ctx(r);
    if (ctx != NULL && ngx_http_auth_jwt_same_verification(ctx->conf, ajcf)) {
        return ctx;
    }

    if (r != r->main) {
        ctx = ngx_http_auth_jwt_module_ctx(r->main);
        if (ctx != NULL
            && ngx_http_auth_jwt_same_verification(ctx->conf, ajcf))
        {
            return ctx;
        }
    }

    ctx = ngx_http_auth_jwt_create_ctx(r);
    if (ctx == NULL) {
        return NULL;
    }

    ctx->conf = ajcf;
    ctx->status = ngx_http_auth_jwt_check(r, ajcf, ctx);

    if (!ngx_http_auth_jwt_may_fetch(ajcf, ctx)) {
        ngx_http_auth_jwt_log_verdict(r, ajcf, ctx);
    }

    ngx_http_set_ctx(r, ctx, ngx_http_auth_jwt_module);

    return ctx;
}


/* The verdict again, in the same context, now that other keys are in. */
void
ngx_http_auth_jwt_recheck(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ctx->verified = authjwt::VerifiedToken();
    ctx->policy = authjwt::Status::Ok;
    ctx->logged = false;
    ctx->status = ngx_http_auth_jwt_check(r, ajcf, ctx);
}


bool
ngx_http_auth_jwt_passes_unchecked(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf) noexcept
{
    return ajcf->allow_preflight && ngx_http_auth_jwt_preflight(r);
}


ngx_int_t
ngx_http_auth_jwt_handler(ngx_http_request_t *r) noexcept
{
    ngx_int_t                      rc;
    ngx_http_auth_jwt_ctx_t       *ctx;
    ngx_http_auth_jwt_loc_conf_t  *ajcf;

    ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_auth_jwt_module));

    if (!ajcf->enable || ngx_http_auth_jwt_passes_unchecked(r, ajcf)) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_auth_jwt_verify(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ajcf->keys->remote) {
        rc = ngx_http_auth_jwt_wait_for_keys(r, ajcf, ctx);

        if (rc == NGX_AGAIN) {
            return NGX_AGAIN;
        }

        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_auth_jwt_log_verdict(r, ajcf, ctx);
    }

    switch (ctx->status) {

    case authjwt::Status::Ok:
        return ngx_http_auth_jwt_accept(r, ajcf, ctx);

    case authjwt::Status::Missing:
        /* auth_jwt_optional: no token passes, a bad one never does */
        return ajcf->optional ? NGX_DECLINED
                              : ngx_http_auth_jwt_unauthorized(r, ajcf,
                                                               ctx->status);

    case authjwt::Status::InternalError:
        /* fail closed */
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    case authjwt::Status::KeysUnavailable:
        /* the key provider's fault, not the client's */
        return NGX_HTTP_SERVICE_UNAVAILABLE;

    default:
        return ngx_http_auth_jwt_unauthorized(r, ajcf, ctx->status);
    }
}
