// viscode/viscode.hpp — everything in one include.
#pragma once

#include "viscode/advice.hpp"
#include "viscode/batch.hpp"
#include "viscode/capture.hpp"
#include "viscode/design.hpp"
#include "viscode/detect.hpp"
#include "viscode/encode.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"
#include "viscode/gs1.hpp"
#include "viscode/ledger.hpp"
#include "viscode/payload_template.hpp"
#include "viscode/render.hpp"
#include "viscode/serve.hpp"
#include "viscode/sign.hpp"
#include "viscode/verify.hpp"
#include "viscode/version.hpp"
