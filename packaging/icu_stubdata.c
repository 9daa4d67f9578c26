/* An empty ICU common-data package, the bundle's stand-in for the 31 MB libicudata that Qt
 * links (see icu_data_stub in moodplayer.spec). ICU accepts a "ToCP" (table of contents)
 * package with no entries: every look-up into it then fails cleanly with
 * U_MISSING_RESOURCE_ERROR, as with ICU's own stubdata library.
 * Built as libicudata.so.NN exporting icudtNN_dat: ICU_ENTRY is set by the compiler line. */
#include <stdint.h>

struct toc_package {
    uint16_t header_size;                      /* 32: this header, before the TOC */
    uint8_t magic1, magic2;                    /* 0xda 0x27 */
    uint16_t info_size, info_reserved;         /* sizeof(UDataInfo) = 20 */
    uint8_t big_endian, charset_family, sizeof_uchar, info_reserved2;
    uint8_t format[4], format_version[4], data_version[4];
    uint8_t padding[8];
    uint32_t count, reserved;                  /* no entries */
    uint32_t toc[4];
};

__attribute__((visibility("default"), aligned(16)))
const struct toc_package ICU_ENTRY = {
    32, 0xda, 0x27, 20, 0,
    0 /* little endian */, 0 /* ASCII family */, 2 /* UChar is 16 bits */, 0,
    {'T', 'o', 'C', 'P'}, {1, 0, 0, 0}, {0, 0, 0, 0},
    {0}, 0, 0, {0, 0, 0, 0},
};
