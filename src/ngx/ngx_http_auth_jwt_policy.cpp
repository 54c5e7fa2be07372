/*
 * Access policy beyond a valid signature: auth_jwt_claims rules,
 * auth_jwt_require values, and the accepted issuers and audiences. Rules
 * are compiled once at configuration time; per request only their
 * operands' variables are expanded.
 */

#include "ngx_http_auth_jwt.hpp"


namespace {

char *
ngx_http_auth_jwt_conf_error(ngx_conf_t *cf, const char *message,
    ngx_str_t *value, const char *detail)
{
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, message, value, detail);
    return static_cast<char *>(NGX_CONF_ERROR);
}


/* The trailing "error=401|403" of auth_jwt_claims and auth_jwt_require;
 * returns the number of arguments before it. */
ngx_uint_t
ngx_http_auth_jwt_error_code(ngx_conf_t *cf, ngx_uint_t default_code,
    ngx_uint_t *code)
{
    ngx_str_t         *value = static_cast<ngx_str_t *>(cf->args->elts);
    ngx_uint_t         last = cf->args->nelts - 1;
    std::string_view   arg = ngx_http_auth_jwt_view(value[last]);

    *code = default_code;

    if (arg == "error=401") {
        *code = NGX_HTTP_UNAUTHORIZED;

    } else if (arg == "error=403") {
        *code = NGX_HTTP_FORBIDDEN;

    } else if (arg.substr(0, 6) == "error=") {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid \"%V\": 401 or 403 expected",
                           &value[last]);
        return 0;

    } else {
        return last + 1;
    }

    return last;
}


ngx_array_t *
ngx_http_auth_jwt_conf_array(ngx_conf_t *cf, ngx_array_t **array,
    size_t size)
{
    if (*array == NGX_CONF_UNSET_PTR) {
        *array = ngx_array_create(cf->pool, 2, size);
    }

    return *array;
}


bool
ngx_http_auth_jwt_compile(ngx_conf_t *cf, ngx_str_t *source,
    ngx_http_complex_value_t *cv)
{
    ngx_http_compile_complex_value_t  ccv;

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = source;
    ccv.complex_value = cv;

    return ngx_http_compile_complex_value(&ccv) == NGX_OK;
}


char *
ngx_http_auth_jwt_add_rule(ngx_conf_t *cf, ngx_array_t *rules,
    ngx_str_t *text, ngx_uint_t error)
{
    std::string                error_text;
    ngx_str_t                  operand;
    ngx_http_auth_jwt_rule_t  *entry;

    auto parsed = authjwt::parseRule(ngx_http_auth_jwt_view(*text),
                                     error_text);
    if (!parsed) {
        return ngx_http_auth_jwt_conf_error(cf, "invalid rule \"%V\": %s",
                                            text, error_text.c_str());
    }

    entry = static_cast<ngx_http_auth_jwt_rule_t *>(ngx_array_push(rules));
    if (entry == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    entry->text = *text;
    entry->error = error;
    entry->operand = NULL;

    if (parsed->op != authjwt::RuleOp::Present) {
        /* the operand is the tail of the argument, which lives as long
         * as the configuration */
        operand.len = parsed->operand.size();
        operand.data = text->data + text->len - operand.len;

        entry->operand = static_cast<ngx_http_complex_value_t *>(
            ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t)));
        if (entry->operand == NULL
            || !ngx_http_auth_jwt_compile(cf, &operand, entry->operand))
        {
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        if (authjwt::isNumericOp(parsed->op)
            && entry->operand->lengths == NULL
            && !authjwt::parseNumber(parsed->operand))
        {
            return ngx_http_auth_jwt_conf_error(cf, "invalid rule \"%V\": %s",
                                                text, "a number is expected");
        }
    }

    entry->rule = ngx_http_auth_jwt_conf_new<authjwt::Rule>(
                      cf, std::move(*parsed));

    return NGX_CONF_OK;
}


bool
ngx_http_auth_jwt_value(ngx_http_request_t *r, ngx_http_complex_value_t *cv,
    ngx_str_t *value) noexcept
{
    if (cv == NULL) {
        ngx_str_null(value);
        return true;
    }

    return ngx_http_complex_value(r, cv, value) == NGX_OK;
}


ngx_int_t
ngx_http_auth_jwt_refuse(ngx_http_request_t *r, ngx_http_auth_jwt_ctx_t *ctx,
    authjwt::Status status, ngx_str_t *what, ngx_uint_t code) noexcept
{
    ctx->policy = status;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "auth_jwt: %s: \"%V\", result \"%s\"",
                  authjwt::statusPhrase(status), what,
                  authjwt::statusCode(status));

    return code;
}


ngx_int_t
ngx_http_auth_jwt_check_rules(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_str_t                  operand;
    ngx_uint_t                 i;
    const json_t              *payload;
    ngx_http_auth_jwt_rule_t  *rules;

    if (ajcf->rules == NULL) {
        return NGX_OK;
    }

    rules = static_cast<ngx_http_auth_jwt_rule_t *>(ajcf->rules->elts);
    payload = authjwt::verifiedPayload(ctx->verified);

    for (i = 0; i < ajcf->rules->nelts; i++) {
        if (!ngx_http_auth_jwt_value(r, rules[i].operand, &operand)) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (!authjwt::evaluateRule(*rules[i].rule, payload,
                                   ngx_http_auth_jwt_view(operand)))
        {
            return ngx_http_auth_jwt_refuse(r, ctx,
                                            authjwt::Status::ClaimRuleFailed,
                                            &rules[i].text, rules[i].error);
        }
    }

    return NGX_OK;
}


/* NGINX Plus's auth_jwt_require: every value non-empty and not "0". */
ngx_int_t
ngx_http_auth_jwt_check_requires(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_str_t                     value;
    ngx_uint_t                    i;
    ngx_http_auth_jwt_require_t  *requires;

    if (ajcf->requires == NULL) {
        return NGX_OK;
    }

    requires = static_cast<ngx_http_auth_jwt_require_t *>(
        ajcf->requires->elts);

    for (i = 0; i < ajcf->requires->nelts; i++) {
        if (ngx_http_complex_value(r, &requires[i].value, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (value.len == 0 || (value.len == 1 && value.data[0] == '0')) {
            return ngx_http_auth_jwt_refuse(r, ctx,
                                            authjwt::Status::RequireFailed,
                                            &requires[i].value.value,
                                            requires[i].error);
        }
    }

    return NGX_OK;
}

}  /* namespace */


char *
ngx_http_auth_jwt_claims(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&]() -> char * {
        ngx_uint_t    i, n, error;
        ngx_array_t  *rules;

        n = ngx_http_auth_jwt_error_code(cf, NGX_HTTP_FORBIDDEN, &error);
        if (n == 0) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        if (n == 1) {
            return const_cast<char *>("needs a rule");
        }

        rules = ngx_http_auth_jwt_conf_array(cf, &ajcf->rules,
                                             sizeof(ngx_http_auth_jwt_rule_t));
        if (rules == NULL) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        for (i = 1; i < n; i++) {
            char *rv = ngx_http_auth_jwt_add_rule(cf, rules, &value[i], error);
            if (rv != NGX_CONF_OK) {
                return rv;
            }
        }

        return NGX_CONF_OK;
    });
}


char *
ngx_http_auth_jwt_require(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    ngx_uint_t                    i, n, error;
    ngx_array_t                  *requires;
    ngx_http_auth_jwt_require_t  *entry;

    /* NGINX Plus answers 401 by default */
    n = ngx_http_auth_jwt_error_code(cf, NGX_HTTP_UNAUTHORIZED, &error);
    if (n == 0) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (n == 1) {
        return const_cast<char *>("needs a value");
    }

    requires = ngx_http_auth_jwt_conf_array(
                   cf, &ajcf->requires, sizeof(ngx_http_auth_jwt_require_t));
    if (requires == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    for (i = 1; i < n; i++) {
        entry = static_cast<ngx_http_auth_jwt_require_t *>(
            ngx_array_push(requires));
        if (entry == NULL
            || !ngx_http_auth_jwt_compile(cf, &value[i], &entry->value))
        {
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        entry->error = error;
    }

    return NGX_CONF_OK;
}


/* auth_jwt_issuer and auth_jwt_audience: cmd->offset names the list. */
char *
ngx_http_auth_jwt_issuer(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept
{
    auto        list = reinterpret_cast<std::vector<std::string> **>(
                           static_cast<u_char *>(conf) + cmd->offset);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    if (*list != NGX_CONF_UNSET_PTR) {
        return const_cast<char *>("is duplicate");
    }

    return ngx_http_auth_jwt_guard(cf, [&]() -> char * {
        *list = ngx_http_auth_jwt_conf_new<std::vector<std::string>>(cf);

        for (ngx_uint_t i = 1; i < cf->args->nelts; i++) {
            (*list)->emplace_back(ngx_http_auth_jwt_view(value[i]));
        }

        return NGX_CONF_OK;
    });
}


char *
ngx_http_auth_jwt_merge_policy(ngx_conf_t *, ngx_http_auth_jwt_loc_conf_t *prev,
    ngx_http_auth_jwt_loc_conf_t *conf)
{
    ngx_conf_merge_ptr_value(conf->rules, prev->rules, NULL);
    ngx_conf_merge_ptr_value(conf->requires, prev->requires, NULL);
    ngx_conf_merge_ptr_value(conf->issuers, prev->issuers, NULL);
    ngx_conf_merge_ptr_value(conf->audiences, prev->audiences, NULL);

    return NGX_CONF_OK;
}


/* Runs the policy for a valid token; returns NGX_OK or the status to
 * answer with. */
ngx_int_t
ngx_http_auth_jwt_check_policy(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_int_t  rc;

    rc = ngx_http_auth_jwt_check_rules(r, ajcf, ctx);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_auth_jwt_check_requires(r, ajcf, ctx);
}
