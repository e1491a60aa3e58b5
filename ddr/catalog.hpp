// catalog.json: the record of a whole-system run (man/ddr.1, CATALOG), written beside the
// tapes by `ddr dump --system` and read by `ddr verify --catalog`, `ddr restore --catalog`
// and `ddr catalog merge`.
//
//   {"catalog_version": 1,
//    "run": {"start", "end", "host", "config", "config_kind", "config_text", "rules", "jobs",
//            "shard", "result", "ddr_version", ...},
//    "volumes": [{"address", "devtype", "volser", "image", "sf", "line", "name", "status",
//                 "error", "tapes": [FILE...], ...the volume's dump report...}]}
//
// A catalog may come from another host, so everything read is checked: tape names are
// plain names in the catalog's own folder, never paths; a complete volume has its dump
// TOD, units and reels.
#pragma once

#include "formats/io/json.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddr {

constexpr int kCatalogVersion = 1;

struct CatalogVolume {
    std::string address;               // "0130", or "" (a volume of a plain list)
    std::string devtype;
    std::string volser;
    std::string image;                 // as the configuration names it
    std::optional<std::string> sf;
    unsigned line = 0;                 // its statement's line in the configuration text
    std::string name;                  // ADDR-VOLSER: what its tapes and restored image are named
    std::string status;                // "complete", "changed" or "failed"
    std::vector<std::string> tapes;    // the reels, plain names in the catalog's folder
    std::string tod;                   // 16 hex digits ("" for a failed volume)
    Json entry;                        // the whole entry, as read
    bool dumped() const { return status != "failed"; }
    // "0130 VMRES1" (or the image, for a volume with neither): how messages name it.
    std::string label() const;
};

struct Catalog {
    std::string path;
    std::string folder;                // where its tapes are: the catalog's own folder
    Json run;
    std::vector<CatalogVolume> volumes;
    bool configuration() const;        // the system came from a Hercules configuration
    const std::string& config_text() const;
};

// The catalog of text `text` (from file `path`).  Error(Unreadable) "PATH: volume N (ADDR
// VOLSER): ..." for anything that is not as the schema above says.
Catalog parse_catalog(std::string_view text, const std::string& path);
// parse_catalog of the file; Error(ReadFailed) if it cannot be read.
Catalog read_catalog(const std::string& path);

// The catalog `doc` written to `path` under a temporary name and renamed into place
// (Error(Refused) if `path` exists and not `replace`).
void write_catalog(const std::string& path, const Json& doc, bool replace);

// The catalog's volumes that `rules` select (--include/--exclude, as for dump --system).
struct SelectionRule;
std::vector<const CatalogVolume*> selected_volumes(const Catalog& catalog, const std::vector<SelectionRule>& rules);

// `text` written to `path` under a temporary name and renamed into place (Error(Refused)
// if `path` exists and not `replace`).
void write_text_file(const std::string& path, const std::string& text, bool replace);

// The status of a run from its volumes' statuses: "complete" when every one is,
// "failed" when one failed, else "changed".
std::string run_result(const std::vector<std::string>& statuses);

} // namespace ddr
