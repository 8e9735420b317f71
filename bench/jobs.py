"""The upload job (one JPEG in, four renditions out) as each peer does it, plus the job's geometry.

Shared by the driver (bench/engine.py) and the in-process workers (`python bench/jobs.py worker PEER`).
Every row does the same job: auto-rotate by EXIF, sRGB, metadata stripped, renditions w1080, w640,
w320 (width, height by aspect, never upscaled) and sq150 (150x150 crop), JPEG quality 82, progressive
at 640 px and above; the full job adds each rendition as WebP quality 80.
"""
import json
import math
import os
import resource
import sys
import time

RENDITIONS = (("w1080", 1080, None), ("w640", 640, None), ("w320", 320, None), ("sq150", 150, 150))
JPEG_Q = 82
WEBP_Q = 80
PROGRESSIVE_FROM = 640
BASIC_FIELDS = {"width", "height", "bands", "format", "coding", "interpretation", "xoffset", "yoffset", "xres", "yres"}


def progressive(target):
    return target >= PROGRESSIVE_FROM


def displayed(info):
    """(width, height) after auto-rotation."""
    if info["orientation"] in (5, 6, 7, 8):
        return info["height"], info["width"]
    return info["width"], info["height"]


def expected_sizes(info):
    """name -> (width, height) every row must produce for this input."""
    dw, dh = displayed(info)
    out = {}
    for name, w, h in RENDITIONS:
        if h is None:
            ow = min(w, dw)
            out[name] = (ow, max(1, round(dh * ow / dw)))
        else:
            out[name] = (min(w, dw, dh), min(h, dw, dh))
    return out


def dct_shrink(info):
    """The JPEG DCT scale (1, 2, 4, 8) that still leaves >= the largest rendition's width after
    rotation: libjpeg scales each side to ceil(side / s). The same for pyvips, IM's hint and djpeg."""
    dw, _ = displayed(info)
    need = min(RENDITIONS[0][1], dw)
    for s in (8, 4, 2):
        if math.ceil(dw / s) >= need:
            return s
    return 1


def cpu_ms():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000


# ---------------------------------------------------------------------------------------------
# pyvips: JPEG shrink-on-load to the smallest size >= the largest rendition, then cascade
# ---------------------------------------------------------------------------------------------
def pyvips_job(pyvips, path, out, formats, info):
    s = info["shrink"]
    if s > 1:
        img = pyvips.Image.jpegload(path, shrink=s, access="sequential", fail_on="error")
    else:
        img = pyvips.Image.new_from_file(path, access="sequential", fail_on="error")
    # export_profile only for tagged files: on untagged input libvips 8.14 would go through lcms and
    # darken it (peers-bench.md, "Correctness").
    kw = {"export_profile": "srgb"} if info["icc"] else {}
    big = img.thumbnail_image(RENDITIONS[0][1], height=10_000_000, size="down", **kw)
    if big.interpretation != "srgb":
        big = big.colourspace("srgb")
    big = big.copy_memory()  # the cascade reads it four times; the sequential file only once
    # libvips 8.14's webpsave ignores strip (libvips issue #3340): it would copy the source's EXIF (GPS
    # included), XMP and even the source's embedded JPEG thumbnail (jpeg-thumbnail-data, into IFD1)
    # into every WebP. Drop every metadata field once, for all renditions; what is left is the minimal
    # EXIF libvips generates from the size and resolution.
    for field in big.get_fields():
        if field not in BASIC_FIELDS:
            big.remove(field)
    for name, w, h in RENDITIONS:
        if h is None:
            r = big if w == RENDITIONS[0][1] else big.thumbnail_image(w, height=10_000_000, size="down")
        else:
            r = big.thumbnail_image(w, height=h, crop="attention", size="down")
        r.jpegsave(os.path.join(out, name + ".jpg"), Q=JPEG_Q, strip=True, interlace=progressive(w))
        if "webp" in formats:
            r.webpsave(os.path.join(out, name + ".webp"), Q=WEBP_Q, strip=True)


# ---------------------------------------------------------------------------------------------
# Pillow: draft() to the DCT scale for the largest rendition, then cascade (LANCZOS)
# ---------------------------------------------------------------------------------------------
def pillow_job(mods, path, out, formats, info):
    Image, ImageOps, ImageCms, io, srgb = mods
    im = Image.open(path)
    dw, _ = displayed(info)
    scale = min(RENDITIONS[0][1], dw) / dw
    im.draft("RGB", (math.ceil(info["width"] * scale), math.ceil(info["height"] * scale)))
    icc = im.info.get("icc_profile")
    im = ImageOps.exif_transpose(im)
    if icc:
        im = ImageCms.profileToProfile(im, ImageCms.ImageCmsProfile(io.BytesIO(icc)), srgb, outputMode="RGB")
    if im.mode != "RGB":
        im = im.convert("RGB")
    im.info = {}  # nothing of the source (EXIF, ICC) may reach a rendition
    sizes = expected_sizes(info)
    w, h = sizes["w1080"]
    big = im.resize((w, h), Image.LANCZOS) if (w, h) != im.size else im
    for name, tw, th in RENDITIONS:
        if th is None:
            r = big if name == "w1080" else big.resize(sizes[name], Image.LANCZOS)
        else:
            r = ImageOps.fit(big, sizes[name], Image.LANCZOS)
        r.info = {}
        r.save(os.path.join(out, name + ".jpg"), "JPEG", quality=JPEG_Q, progressive=progressive(tw))
        if "webp" in formats:
            r.save(os.path.join(out, name + ".webp"), "WEBP", quality=WEBP_Q)


# ---------------------------------------------------------------------------------------------
# CLI peers: the commands of one job (run by the driver, one process each)
# ---------------------------------------------------------------------------------------------
def vipsthumbnail_cmds(path, out, formats, info):
    cmds = []
    for name, w, h in RENDITIONS:
        opts = "[Q=%d,strip%s]" % (JPEG_Q, ",interlace" if progressive(w) else "")
        size = ("%dx>" % w) if h is None else ("%dx%d>" % (w, h))
        cmd = ["vipsthumbnail", path, "-s", size, "-i", "srgb", "-e", "srgb",
               "-o", os.path.join(out, name + ".jpg") + opts]
        if h is not None:
            cmd[4:4] = ["-m", "attention"]
        cmds.append(cmd)
    return cmds


def convert_cmds(path, out, formats, info, srgb_icc):
    """One ImageMagick process, resize cascade, with the JPEG size hint at pyvips' DCT scale."""
    s = info["shrink"]
    hint = "%dx%d" % (math.ceil(info["width"] / s), math.ceil(info["height"] / s))
    cmd = ["/usr/bin/convert", "-define", "jpeg:size=" + hint, path, "-auto-orient"]
    if info["icc"]:
        cmd += ["-profile", srgb_icc]
    cmd += ["-strip", "-colorspace", "sRGB", "-quality", str(JPEG_Q)]
    last = len(RENDITIONS) - 1
    for i, (name, w, h) in enumerate(RENDITIONS):
        if h is None:
            cmd += ["-resize", "%dx>" % w]
        else:
            cmd += ["-resize", "%dx%d^" % (w, h), "-gravity", "center", "-extent", "%dx%d" % (w, h)]
        cmd += ["-interlace", "JPEG" if progressive(w) else "none"]
        jpg = os.path.join(out, name + ".jpg")
        if "webp" in formats:
            cmd += ["-write", jpg, "-quality", str(WEBP_Q)]
            cmd += ([os.path.join(out, name + ".webp")] if i == last
                    else ["-write", os.path.join(out, name + ".webp"), "-quality", str(JPEG_Q)])
        else:
            cmd += ([jpg] if i == last else ["-write", jpg])
    return [cmd]


def floor_cmds(path, out, formats, info, ppms):
    """libjpeg-turbo alone: one decode at the same DCT scale, one encode per rendition."""
    s = info["shrink"]
    cmds = [["djpeg"] + (["-scale", "1/%d" % s] if s > 1 else []) + ["-outfile", "/dev/null", path]]
    for name, w, h in RENDITIONS:
        cmds.append(["cjpeg", "-quality", str(JPEG_Q)] + (["-progressive"] if progressive(w) else [])
                    + ["-outfile", os.path.join(out, name + ".jpg"), ppms[name]])
    return cmds


# ---------------------------------------------------------------------------------------------
# In-process worker: a persistent process, like an app server; imports are not in the job time
# ---------------------------------------------------------------------------------------------
def worker(peer):
    if peer == "pyvips":
        import pyvips
        pyvips.cache_set_max(0)  # the operation cache would serve repeated runs of the same file
        mods, job = pyvips, pyvips_job
    elif peer == "pillow":
        import io
        from PIL import Image, ImageCms, ImageOps
        Image.MAX_IMAGE_PIXELS = 60_000_000
        mods, job = (Image, ImageOps, ImageCms, io, ImageCms.createProfile("sRGB")), pillow_job
    else:
        raise SystemExit("unknown peer " + peer)
    reply = lambda obj: (sys.stdout.write(json.dumps(obj) + "\n"), sys.stdout.flush())  # noqa: E731
    reply({"ready": True})
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "quit":
            break
        if op == "rss":
            reply({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
            continue
        n = req.get("n", 1)
        try:
            t0, c0 = time.time(), cpu_ms()
            for _ in range(n):
                job(mods, req["input"], req["out"], req["formats"], req["info"])
            t1, c1 = time.time(), cpu_ms()
            reply({"ok": True, "t0": t0, "t1": t1, "wall_ms": (t1 - t0) * 1000, "cpu_ms": c1 - c0})
        except Exception as e:  # reported to the driver, which marks the row failed
            reply({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "worker":
        worker(sys.argv[2])
    else:
        raise SystemExit("usage: jobs.py worker pyvips|pillow")
