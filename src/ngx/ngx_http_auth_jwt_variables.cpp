/*
 * Variables: $jwt_claim_NAME, $jwt_header_NAME, $jwt_payload and
 * $jwt_result. Claims and header members appear only once the token's
 * signature holds; values are escaped so that no control character (CR,
 * LF, NUL) reaches a header or a log raw.
 */

#include <string>

#include "ngx_http_auth_jwt.hpp"


namespace {

ngx_int_t ngx_http_auth_jwt_member_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept;
ngx_int_t ngx_http_auth_jwt_header_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept;
ngx_int_t ngx_http_auth_jwt_payload_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept;
ngx_int_t ngx_http_auth_jwt_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept;


ngx_http_variable_t  ngx_http_auth_jwt_vars[] = {

    { ngx_string("jwt_claim_"), NULL, ngx_http_auth_jwt_member_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string("jwt_header_"), NULL, ngx_http_auth_jwt_header_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string("jwt_payload"), NULL, ngx_http_auth_jwt_payload_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("jwt_result"), NULL, ngx_http_auth_jwt_result_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


void
ngx_http_auth_jwt_not_found(ngx_http_variable_value_t *v) noexcept
{
    v->not_found = 1;
}


ngx_int_t
ngx_http_auth_jwt_set_value(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, const std::string &text) noexcept
{
    v->data = static_cast<u_char *>(ngx_pnalloc(r->pool, text.size()));
    if (v->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(v->data, text.data(), text.size());
    v->len = text.size();
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


/* The verdict for r: under the current location's configuration where
 * it checks tokens, else any verdict reached for the request; NULL when
 * there is none. */
ngx_http_auth_jwt_ctx_t *
ngx_http_auth_jwt_var_ctx(ngx_http_request_t *r, bool *failed) noexcept
{
    ngx_http_auth_jwt_ctx_t       *ctx;
    ngx_http_auth_jwt_loc_conf_t  *ajcf;

    *failed = false;

    ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_auth_jwt_module));
    /* a request let through unchecked is not checked for a variable
     * either: that would log a refusal for it */
    if (!ajcf->enable || ngx_http_auth_jwt_passes_unchecked(r, ajcf)) {
        return ngx_http_auth_jwt_get_ctx(r);
    }

    ctx = ngx_http_auth_jwt_verify(r);
    *failed = (ctx == NULL);

    return ctx;
}


/* The context of an accepted token: NGX_OK, or NGX_DECLINED with v marked
 * not found when no token was accepted, or NGX_ERROR. */
ngx_int_t
ngx_http_auth_jwt_accepted_ctx(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_http_auth_jwt_ctx_t **ctx) noexcept
{
    bool  failed;

    *ctx = ngx_http_auth_jwt_var_ctx(r, &failed);
    if (failed) {
        return NGX_ERROR;
    }

    if (*ctx == NULL || (*ctx)->status != authjwt::Status::Ok) {
        ngx_http_auth_jwt_not_found(v);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* The value of a header or payload member, formatted for variables; not
 * found when there is no such member. */
ngx_int_t
ngx_http_auth_jwt_member_value(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, const json_t *member) noexcept
{
    if (member == NULL) {
        ngx_http_auth_jwt_not_found(v);
        return NGX_OK;
    }

    try {
        return ngx_http_auth_jwt_set_value(r, v,
                                           authjwt::jsonValueText(member));

    } catch (...) {
        return NGX_ERROR;
    }
}


/* A member of the verified header or payload, by the name that follows
 * the variable's prefix. */
ngx_int_t
ngx_http_auth_jwt_json_member(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data, size_t prefix,
    bool from_header) noexcept
{
    ngx_int_t                 rc;
    const json_t             *object, *member;
    ngx_str_t                *name;
    ngx_http_auth_jwt_ctx_t  *ctx;

    rc = ngx_http_auth_jwt_accepted_ctx(r, v, &ctx);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : rc;
    }

    /* both trees are built on first use */
    object = from_header ? authjwt::verifiedHeader(ctx->verified)
                         : authjwt::verifiedPayload(ctx->verified);

    name = reinterpret_cast<ngx_str_t *>(data);

    /* nginx lowercases variable names: match the claim ignoring case */
    member = authjwt::jsonMemberIgnoringCase(
        object, std::string_view(reinterpret_cast<char *>(name->data) + prefix,
                                 name->len - prefix));
    return ngx_http_auth_jwt_member_value(r, v, member);
}


ngx_int_t
ngx_http_auth_jwt_member_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept
{
    return ngx_http_auth_jwt_json_member(r, v, data,
                                         sizeof("jwt_claim_") - 1, false);
}


ngx_int_t
ngx_http_auth_jwt_header_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept
{
    return ngx_http_auth_jwt_json_member(r, v, data,
                                         sizeof("jwt_header_") - 1, true);
}


ngx_int_t
ngx_http_auth_jwt_payload_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t) noexcept
{
    ngx_int_t                 rc;
    ngx_http_auth_jwt_ctx_t  *ctx;

    rc = ngx_http_auth_jwt_accepted_ctx(r, v, &ctx);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : rc;
    }

    try {
        return ngx_http_auth_jwt_set_value(
                   r, v, authjwt::jsonCompactText(
                             authjwt::verifiedPayload(ctx->verified)));

    } catch (...) {
        return NGX_ERROR;
    }
}


ngx_int_t
ngx_http_auth_jwt_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t) noexcept
{
    bool                      failed;
    const char               *code;
    ngx_http_auth_jwt_ctx_t  *ctx;

    ctx = ngx_http_auth_jwt_var_ctx(r, &failed);
    if (failed) {
        return NGX_ERROR;
    }

    if (ctx == NULL) {
        ngx_http_auth_jwt_not_found(v);
        return NGX_OK;
    }

    /* a valid token the policy refused reports the policy's reason */
    code = authjwt::statusCode(ctx->policy != authjwt::Status::Ok
                               ? ctx->policy : ctx->status);

    /* the code is a static string: no copy needed */
    v->data = reinterpret_cast<u_char *>(const_cast<char *>(code));
    v->len = ngx_strlen(code);
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}

/* What an auth_jwt_claim_set or auth_jwt_header_set variable reads. */
struct ngx_http_auth_jwt_binding_t {
    authjwt::ClaimPath  path;
    bool                header;
};


ngx_int_t
ngx_http_auth_jwt_binding_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data) noexcept
{
    ngx_int_t                     rc;
    const json_t                 *object, *member;
    ngx_http_auth_jwt_ctx_t      *ctx;
    ngx_http_auth_jwt_binding_t  *binding;

    rc = ngx_http_auth_jwt_accepted_ctx(r, v, &ctx);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? NGX_OK : rc;
    }

    binding = reinterpret_cast<ngx_http_auth_jwt_binding_t *>(data);
    object = binding->header ? authjwt::verifiedHeader(ctx->verified)
                             : authjwt::verifiedPayload(ctx->verified);

    member = authjwt::findClaim(object, binding->path);
    return ngx_http_auth_jwt_member_value(r, v, member);
}

}  /* namespace */


/* auth_jwt_claim_set $variable name ...; (auth_jwt_header_set when
 * cmd->offset is 1): the variable holds the member at that path. */
char *
ngx_http_auth_jwt_claim_set(ngx_conf_t *cf, ngx_command_t *cmd, void *)
    noexcept
{
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&]() -> char * {
        ngx_str_t             name;
        ngx_http_variable_t  *var;

        name = value[1];

        if (name.len < 2 || name.data[0] != '$') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid variable name \"%V\"", &name);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        name.data++;
        name.len--;

        auto binding =
            ngx_http_auth_jwt_conf_new<ngx_http_auth_jwt_binding_t>(cf);
        binding->header = (cmd->offset == 1);

        for (ngx_uint_t i = 2; i < cf->args->nelts; i++) {
            if (value[i].len == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "empty claim name");
                return static_cast<char *>(NGX_CONF_ERROR);
            }

            binding->path.segments.emplace_back(
                ngx_http_auth_jwt_view(value[i]));
        }

        var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
        if (var == NULL) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        var->get_handler = ngx_http_auth_jwt_binding_variable;
        var->data = reinterpret_cast<uintptr_t>(binding);

        return NGX_CONF_OK;
    });
}


ngx_int_t
ngx_http_auth_jwt_add_variables(ngx_conf_t *cf) noexcept
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_auth_jwt_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}
