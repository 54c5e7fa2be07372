# Sourced by nginx's auto/make after objs/Makefile is written: nginx builds
# .cpp files with $(CC) and its C flags, so our objects get the C++ flags
# here, one target-specific line each, and nothing else is touched.

AUTH_JWT_CXXFLAGS="-std=c++17 -fvisibility=hidden -Wall -Wextra"
AUTH_JWT_CXXFLAGS="$AUTH_JWT_CXXFLAGS -Wno-missing-field-initializers"
AUTH_JWT_CXXFLAGS="$AUTH_JWT_CXXFLAGS $AUTH_JWT_EXTRA_CXXFLAGS"

for auth_jwt_src in $AUTH_JWT_CORE_SRCS $AUTH_JWT_NGX_SRCS; do
    auth_jwt_dir=`dirname $auth_jwt_src`
    auth_jwt_obj="$NGX_OBJS/addon/`basename $auth_jwt_dir`"
    auth_jwt_obj="$auth_jwt_obj/`basename $auth_jwt_src .cpp`.$ngx_objext"
    echo "$auth_jwt_obj: CFLAGS += $AUTH_JWT_CXXFLAGS" >> $NGX_MAKEFILE
done
