/*
 * ngx_http_auth_jwt_module: the directive table, the module definition,
 * and the registration of the access handler and variables.
 */

#include "ngx_http_auth_jwt.hpp"


namespace {

ngx_int_t ngx_http_auth_jwt_preconfiguration(ngx_conf_t *cf) noexcept;
ngx_int_t ngx_http_auth_jwt_init(ngx_conf_t *cf) noexcept;


#define NGX_HTTP_AUTH_JWT_CONF                                               \
    (NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF)

#define NGX_HTTP_AUTH_JWT_LMT_CONF  (NGX_HTTP_AUTH_JWT_CONF|NGX_HTTP_LMT_CONF)


ngx_conf_enum_t  ngx_http_auth_jwt_types[] = {
    { ngx_string("signed"), 0 },
    { ngx_null_string, 0 }
};


ngx_command_t  ngx_http_auth_jwt_commands[] = {

    { ngx_string("auth_jwt"),
      NGX_HTTP_AUTH_JWT_LMT_CONF|NGX_CONF_TAKE12,
      ngx_http_auth_jwt,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_token"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwt_token,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_key"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE12,
      ngx_http_auth_jwt_key,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    /* NGINX Plus's spelling of "auth_jwt_key file=" */
    { ngx_string("auth_jwt_key_file"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_http_auth_jwt_key_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_alg"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwt_alg,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    /* NGINX Plus's spelling of "auth_jwt_key request=" */
    { ngx_string("auth_jwt_key_request"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_http_auth_jwt_key_request,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_discovery"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE2,
      ngx_http_auth_jwt_discovery,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_key_cache"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE12,
      ngx_http_auth_jwt_key_cache,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_key_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_main_conf_t, key_zone_size),
      NULL },

    /* NGINX Plus's; only signed tokens are supported */
    { ngx_string("auth_jwt_type"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, type),
      &ngx_http_auth_jwt_types },

    { ngx_string("auth_jwt_require_exp"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, require_exp),
      NULL },

    { ngx_string("auth_jwt_leeway"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, leeway),
      NULL },

    { ngx_string("auth_jwt_max_size"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, max_size),
      NULL },

    { ngx_string("auth_jwt_max_lifetime"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, max_lifetime),
      NULL },

    { ngx_string("auth_jwt_issuer"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwt_issuer,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, issuers),
      NULL },

    { ngx_string("auth_jwt_audience"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwt_issuer,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, audiences),
      NULL },

    { ngx_string("auth_jwt_claims"),
      NGX_HTTP_AUTH_JWT_LMT_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwt_claims,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_require"),
      NGX_HTTP_AUTH_JWT_LMT_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwt_require,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_optional"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, optional),
      NULL },

    { ngx_string("auth_jwt_allow_preflight"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, allow_preflight),
      NULL },

    { ngx_string("auth_jwt_strip_token"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, strip_token),
      NULL },

    { ngx_string("auth_jwt_cache"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE12,
      ngx_http_auth_jwt_cache,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_login_url"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwt_loc_conf_t, login_url),
      NULL },

    { ngx_string("auth_jwt_revoke"),
      NGX_HTTP_AUTH_JWT_CONF|NGX_CONF_TAKE12,
      ngx_http_auth_jwt_revoke,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    /* NGINX Plus: bind a nested claim or header member to a variable;
     * the offset tells which */
    { ngx_string("auth_jwt_claim_set"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_auth_jwt_claim_set,
      0,
      0,
      NULL },

    { ngx_string("auth_jwt_header_set"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_auth_jwt_claim_set,
      0,
      1,
      NULL },

      ngx_null_command
};


ngx_http_module_t  ngx_http_auth_jwt_module_ctx = {
    ngx_http_auth_jwt_preconfiguration,    /* preconfiguration */
    ngx_http_auth_jwt_init,                /* postconfiguration */

    ngx_http_auth_jwt_create_main_conf,    /* create main configuration */
    ngx_http_auth_jwt_init_main_conf,      /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_auth_jwt_create_loc_conf,     /* create location configuration */
    ngx_http_auth_jwt_merge_loc_conf       /* merge location configuration */
};

}  /* namespace */


ngx_module_t  ngx_http_auth_jwt_module = {
    NGX_MODULE_V1,
    &ngx_http_auth_jwt_module_ctx,         /* module context */
    ngx_http_auth_jwt_commands,            /* module directives */
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


namespace {

ngx_int_t
ngx_http_auth_jwt_preconfiguration(ngx_conf_t *cf) noexcept
{
    if (ngx_http_auth_jwt_cache_add_variables(cf) != NGX_OK
        || ngx_http_auth_jwt_add_variables(cf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_auth_jwt_add_fetch_variable(cf);
}


ngx_int_t
ngx_http_auth_jwt_init(ngx_conf_t *cf) noexcept
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = static_cast<ngx_http_core_main_conf_t *>(
        ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module));

    h = static_cast<ngx_http_handler_pt *>(
        ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers));
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_auth_jwt_handler;

    if (ngx_http_auth_jwt_cache_check_zones(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_auth_jwt_add_key_zone(cf);
}

}  /* namespace */
