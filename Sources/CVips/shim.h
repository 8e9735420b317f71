#ifndef DARKROOM_CVIPS_SHIM_H
#define DARKROOM_CVIPS_SHIM_H

#include <vips/vips.h>

/*
 * Non-variadic wrappers for the libvips calls Swift cannot make directly (C varargs and macros).
 * Every wrapper returns 0 on success and -1 on failure with the libvips error buffer set, like libvips.
 * Names live in cvips_ so they can never clash with libvips' own vips_ namespace.
 */

static inline int cvips_init(const char *argv0) { return VIPS_INIT(argv0); }

static inline void cvips_unref(VipsImage *image) { g_object_unref(image); }

static inline void cvips_free(void *p) { g_free(p); }

/* ---- loaders: always the specific loader for the sniffed format, never vips_image_new_from_buffer ---- */

/* Lazy: only the header is parsed until pixels are asked for. shrink is 1, 2, 4 or 8 (DCT scaling). */
static inline int cvips_jpegload_buffer(const void *buf, size_t len, VipsImage **out, int shrink, int fail_on) {
    return vips_jpegload_buffer((void *) buf, len, out, "shrink", shrink, "autorotate", FALSE,
        "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", (VipsFailOn) fail_on, NULL);
}

static inline int cvips_pngload_buffer(const void *buf, size_t len, VipsImage **out, int fail_on) {
    return vips_pngload_buffer((void *) buf, len, out,
        "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", (VipsFailOn) fail_on, NULL);
}

static inline int cvips_webpload_buffer(const void *buf, size_t len, VipsImage **out, double scale, int fail_on) {
    return vips_webpload_buffer((void *) buf, len, out, "n", 1, "page", 0, "scale", scale,
        "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", (VipsFailOn) fail_on, NULL);
}

/* libheif applies the container's irot/imir itself, so the result is already upright. */
static inline int cvips_heifload_buffer(const void *buf, size_t len, VipsImage **out, int fail_on) {
    return vips_heifload_buffer((void *) buf, len, out, "n", 1, "page", 0,
        "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", (VipsFailOn) fail_on, NULL);
}

/* First frame only: n = 1, page = 0. */
static inline int cvips_gifload_buffer(const void *buf, size_t len, VipsImage **out, int fail_on) {
    return vips_gifload_buffer((void *) buf, len, out, "n", 1, "page", 0,
        "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", (VipsFailOn) fail_on, NULL);
}

/* libvips' own sniffing loader. Never used on uploads; the tests use it to prove that the block list holds
 * (with SVG/PDF/TIFF bytes it must fail with "operation is blocked"). */
static inline VipsImage *cvips_generic_load_buffer(const void *buf, size_t len) {
    return vips_image_new_from_buffer(buf, len, "", NULL);
}

/* ---- geometry ---- */

static inline int cvips_resize(VipsImage *in, VipsImage **out, double hscale, double vscale, int kernel) {
    return vips_resize(in, out, hscale, "vscale", vscale, "kernel", (VipsKernel) kernel, NULL);
}

static inline int cvips_rot(VipsImage *in, VipsImage **out, int angle) {
    return vips_rot(in, out, (VipsAngle) angle, NULL);
}

static inline int cvips_flip(VipsImage *in, VipsImage **out, int direction) {
    return vips_flip(in, out, (VipsDirection) direction, NULL);
}

static inline int cvips_smartcrop(VipsImage *in, VipsImage **out, int width, int height, int interesting) {
    return vips_smartcrop(in, out, width, height, "interesting", (VipsInteresting) interesting, NULL);
}


/* ---- colour ---- */

/* input_profile may be NULL: then the embedded profile is used (embedded = TRUE). */
static inline int cvips_icc_transform_to_srgb(VipsImage *in, VipsImage **out, const char *input_profile) {
    if (input_profile)
        return vips_icc_transform(in, out, "srgb", "input_profile", input_profile, "embedded", FALSE,
            "intent", VIPS_INTENT_RELATIVE, "depth", 8, NULL);
    return vips_icc_transform(in, out, "srgb", "embedded", TRUE,
        "intent", VIPS_INTENT_RELATIVE, "depth", 8, NULL);
}

static inline int cvips_colourspace(VipsImage *in, VipsImage **out, int space) {
    return vips_colourspace(in, out, (VipsInterpretation) space, NULL);
}

static inline int cvips_cast(VipsImage *in, VipsImage **out, int format) {
    return vips_cast(in, out, (VipsBandFormat) format, NULL);
}

static inline int cvips_flatten_white(VipsImage *in, VipsImage **out) {
    double white[3] = { 255.0, 255.0, 255.0 };
    VipsArrayDouble *background = vips_array_double_new(white, 3);
    int result = vips_flatten(in, out, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return result;
}

static inline int cvips_premultiply(VipsImage *in, VipsImage **out) { return vips_premultiply(in, out, NULL); }
static inline int cvips_unpremultiply(VipsImage *in, VipsImage **out) { return vips_unpremultiply(in, out, NULL); }

/* ---- pixel arithmetic (filters) ---- */

static inline int cvips_recomb(VipsImage *in, VipsImage **out, VipsImage *matrix) {
    return vips_recomb(in, out, matrix, NULL);
}

static inline int cvips_maplut(VipsImage *in, VipsImage **out, VipsImage *lut) {
    return vips_maplut(in, out, lut, NULL);
}

static inline int cvips_multiply(VipsImage *left, VipsImage *right, VipsImage **out) {
    return vips_multiply(left, right, out, NULL);
}


static inline int cvips_extract_band(VipsImage *in, VipsImage **out, int band, int n) {
    return vips_extract_band(in, out, band, "n", n, NULL);
}

static inline int cvips_bandjoin2(VipsImage *left, VipsImage *right, VipsImage **out) {
    return vips_bandjoin2(left, right, out, NULL);
}

/* ---- savers: strip = TRUE drops EXIF, XMP, IPTC and ICC (libvips 8.14 semantics) ---- */

static inline int cvips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int interlace) {
    return vips_jpegsave_buffer(in, buf, len, "Q", quality, "interlace", interlace ? TRUE : FALSE,
        "strip", TRUE, NULL);
}

static inline int cvips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort) {
    return vips_webpsave_buffer(in, buf, len, "Q", quality, "effort", effort, "strip", TRUE, NULL);
}


/* ---- metadata ---- */

static inline int cvips_get_blob(VipsImage *image, const char *name, const void **data, size_t *len) {
    return vips_image_get_blob(image, name, data, len);
}

static inline int cvips_has_field(VipsImage *image, const char *name) {
    return vips_image_get_typeof(image, name) != 0;
}

#endif
