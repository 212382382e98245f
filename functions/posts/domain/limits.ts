/**
 * Every platform limit Herald checks, in one place, each with its source ([D] documented,
 * [R] seen in real responses or clients; public links in `docs/providers.md`).
 * When a provider changes a number, change it here only.
 */
const MiB = 1024 * 1024;
const MB = 1000 * 1000;

export const LIMITS = {
  facebook: {
    /** A5 "maximum message length is 63,206 characters" [R, postiz]. */
    messageMaxChars: 63_206,
    /** A5 Photos: "about ≤4 MB … subcode 1366046" [R]; decimal MB to stay on the safe side of either reading. */
    photoMaxBytes: 4 * MB,
    /** A5 Photos: JPG/PNG/GIF/BMP/TIFF [R] — of the types we can sniff. */
    photoMimeTypes: ["image/jpeg", "image/png", "image/gif"],
    /** A5 Multi-photo: attached_media; Facebook shows at most this many in one post [I, common client cap]. */
    multiPhotoMax: 10,
    videoMimeTypes: ["video/mp4", "video/quicktime"],
  },
  instagram: {
    /** A6 Limits: caption ≤ 2,200 chars [D]. */
    captionMaxChars: 2200,
    /** A6 Limits: ≤ 30 hashtags [D]. */
    hashtagsMax: 30,
    /** A6 Limits: ≤ 20 @-tags (error 2207010) [D]. */
    mentionsMax: 20,
    /** A6 Limits: carousel 2–10 items [D] (error 2207028). */
    carouselMin: 2,
    carouselMax: 10,
    /** A6 Limits: image < 8 MiB (2207004) [D]. */
    imageMaxBytesExclusive: 8 * MiB,
    /** A6 Limits: JPEG only [R]. */
    imageMimeTypes: ["image/jpeg"],
    /** A6 Limits: aspect 4:5 to 1.91:1 (2207009) [D]. */
    aspectMin: 4 / 5,
    aspectMax: 1.91,
    /** A6 Limits: width 320–1440 px [R]; outside, Instagram rescales (a warning, not an error). */
    widthMin: 320,
    widthMax: 1440,
    /** A6 Limits: reels MOV/MP4 ≤ 300 MB [R]. */
    videoMimeTypes: ["video/mp4", "video/quicktime"],
    reelMaxBytes: 300 * MB,
    /** A6 Limits: story video ≤ 100 MB [R]. */
    storyVideoMaxBytes: 100 * MB,
    /** A6 Image container: alt_text ≤ 1000 chars, images only [D]. */
    altTextMaxChars: 1000,
  },
  linkedin: {
    /** B "Commentary is limited to 3,000 characters" [R]. */
    commentaryMaxChars: 3000,
    /** Corrections table: multiImage 2–20 images [D]. */
    multiImageMin: 2,
    multiImageMax: 20,
    /** Images: JPG, GIF or PNG, under 36,152,320 pixels [R]. */
    imageMimeTypes: ["image/jpeg", "image/png", "image/gif"],
    imageMaxPixels: 36_152_320,
    /** Videos: MP4, ≤ 500 MB [R]. */
    videoMimeTypes: ["video/mp4"],
    videoMaxBytes: 500 * MB,
    /** Documents: PDF (PPT/DOC too, which we cannot sniff), ≤ 100 MB [R]. */
    documentMimeTypes: ["application/pdf"],
    documentMaxBytes: 100 * MB,
  },
} as const;

/** How much of a media file is fetched to sniff its type and dimensions. */
export const MEDIA_SNIFF_BYTES = 64 * 1024;
/** Per-URL fetch timeout for the media check. */
export const MEDIA_FETCH_TIMEOUT_MS = 5000;
