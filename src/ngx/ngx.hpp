/*
 * The only place nginx headers are included. nginx 1.22 headers carry no
 * extern "C" guards, so they are wrapped here.
 */

#pragma once

extern "C" {
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
}
