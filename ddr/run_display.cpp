#include "ddr/run_display.hpp"

#include "formats/io/error.hpp"

namespace ddr {

void display_records(const DisplayRequest& request, const std::function<void(const std::string&)>&)
{
    fail(ErrorKind::Usage, file_place(request.file),
         std::string(request.statement.print ? "PRINT" : "TYPE") + ": record formatting is not in this build yet");
}

} // namespace ddr
