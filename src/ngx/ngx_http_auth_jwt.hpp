/*
 * Declarations shared by the glue files: the location configuration, the
 * per-request context, and the functions one file offers the others.
 */

#pragma once

#include <type_traits>

#include "ngx.hpp"

#include "core/key.hpp"
#include "core/verifier.hpp"


/* Where a token may come from: an nginx variable, possibly in RFC 6750's
 * "Bearer" form. */
struct ngx_http_auth_jwt_source_t {
    ngx_int_t                  index;
    ngx_flag_t                 bearer;
};


struct ngx_http_auth_jwt_loc_conf_t {
    ngx_int_t                  enable;
    ngx_str_t                  realm;

    /* precomputed WWW-Authenticate values, set at merge */
    ngx_str_t                  challenge;
    ngx_str_t                  challenge_invalid;

    ngx_array_t               *sources;       /* of source_t */

    /* owned by a cleanup of the configuration pool */
    authjwt::KeySet           *keys;

    ngx_uint_t                 alg_bits;      /* auth_jwt_alg, or unset */
    ngx_uint_t                 allowed_bits;  /* effective, set at merge */

    ngx_flag_t                 require_exp;
    time_t                     leeway;
    size_t                     max_size;

    /* where "auth_jwt" was switched on, for errors found at merge */
    ngx_str_t                  enable_file;
    ngx_uint_t                 enable_line;
};

static_assert(std::is_standard_layout<ngx_http_auth_jwt_loc_conf_t>::value,
              "offsetof is used on the location configuration");


/* The verdict for one request, computed once, whichever asks first: the
 * access handler or a variable. */
struct ngx_http_auth_jwt_ctx_t {
    authjwt::Status            status;
    authjwt::VerifiedToken     verified;
};


extern "C" {
extern ngx_module_t  ngx_http_auth_jwt_module;
}


/* conf */
void *ngx_http_auth_jwt_create_loc_conf(ngx_conf_t *cf) noexcept;
char *ngx_http_auth_jwt_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child) noexcept;
char *ngx_http_auth_jwt(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
char *ngx_http_auth_jwt_token(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
char *ngx_http_auth_jwt_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
char *ngx_http_auth_jwt_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_alg(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;

/* handler */
ngx_http_auth_jwt_ctx_t *ngx_http_auth_jwt_get_ctx(ngx_http_request_t *r)
    noexcept;
ngx_http_auth_jwt_ctx_t *ngx_http_auth_jwt_verify(ngx_http_request_t *r)
    noexcept;
ngx_int_t ngx_http_auth_jwt_handler(ngx_http_request_t *r) noexcept;

/* variables */
ngx_int_t ngx_http_auth_jwt_add_variables(ngx_conf_t *cf) noexcept;
