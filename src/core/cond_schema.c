/* cond_schema.c - the table of dossier and derived field paths conditions may use. */
#include "core/cond_schema.h"

#include <string.h>

#define ENVS "exploration|pilot|production"
#define LOC "nl|eu|eea|us|other"

/* Kept in the order of docs/dossier.md; the derived facts at the end. */
static const struct cond_field fields[] = {
    {"sluis_dossier", COND_T_INT, NULL},
    {"id", COND_T_STR, NULL},
    {"name", COND_T_STR, NULL},
    {"organisation", COND_T_OBJ, NULL},
    {"organisation.name", COND_T_STR, NULL},
    {"organisation.layer", COND_T_ENUM, "rijk|gemeente|provincie|waterschap|zbo|other"},
    {"owner", COND_T_OBJ, NULL},
    {"owner.name", COND_T_STR, NULL},
    {"owner.function", COND_T_STR, NULL},
    {"owner.email", COND_T_STR, NULL},
    {"purpose", COND_T_OBJ, NULL},
    {"purpose.description", COND_T_STR, NULL},
    {"purpose.problem", COND_T_STR, NULL},
    {"purpose.alternatives", COND_T_LIST_OBJ, NULL},
    {"purpose.alternatives[].option", COND_T_STR, NULL},
    {"purpose.alternatives[].rejected_because", COND_T_STR, NULL},
    {"purpose.lawful_basis", COND_T_STR, NULL},
    {"use", COND_T_OBJ, NULL},
    {"use.kind", COND_T_ENUM, "develop|procure|use|unavoidable|feature_in_existing|third_party"},
    {"use.environment", COND_T_ENUM, ENVS},
    {"use.exploration_end", COND_T_DATE, NULL},
    {"use.users", COND_T_LIST_ENUM, "internal|citizens|businesses|minors"},
    {"use.citizen_facing", COND_T_BOOL, NULL},
    {"use.output_published", COND_T_BOOL, NULL},
    {"use.output_feeds_decisions", COND_T_BOOL, NULL},
    {"use.human_review", COND_T_BOOL, NULL},
    {"use.ai_disclosure", COND_T_BOOL, NULL},
    {"use.synthetic_content_marked", COND_T_BOOL, NULL},
    {"use.output_modalities", COND_T_LIST_ENUM, "text|code|image|audio|video"},
    {"use.production_data", COND_T_BOOL, NULL},
    {"use.third_party", COND_T_STR, NULL},
    {"use.existing_software", COND_T_STR, NULL},
    {"models", COND_T_LIST_OBJ, NULL},
    {"models[].name", COND_T_STR, NULL},
    {"models[].version", COND_T_STR, NULL},
    {"models[].provider", COND_T_STR, NULL},
    {"models[].licence", COND_T_STR, NULL},
    {"models[].open_source", COND_T_BOOL, NULL},
    {"models[].origin_country", COND_T_STR, NULL},
    {"models[].hosting_region", COND_T_ENUM, "nl|eu|eea|us|other|on_premise"},
    {"models[].terms", COND_T_ENUM, "negotiated|business|consumer|self_hosted"},
    {"models[].gpai", COND_T_BOOL, NULL},
    {"models[].training_flops", COND_T_STR, NULL},
    {"agreements", COND_T_LIST_OBJ, NULL},
    {"agreements[].provider", COND_T_STR, NULL},
    {"agreements[].reference", COND_T_STR, NULL},
    {"agreements[].valid_until", COND_T_DATE, NULL},
    {"agreements[].data_sharing", COND_T_ENUM,
     "none|subprocessors_only|model_improvement|unrestricted"},
    {"agreements[].retention_days", COND_T_INT, NULL},
    {"agreements[].retraining", COND_T_ENUM, "prohibited|opt_out|allowed|unspecified"},
    {"agreements[].access_logging", COND_T_BOOL, NULL},
    {"agreements[].storage_location", COND_T_ENUM, LOC},
    {"agreements[].support_location", COND_T_ENUM, LOC},
    {"agreements[].telemetry_location", COND_T_ENUM, LOC},
    {"agreements[].transfer_mechanism", COND_T_ENUM, "none|adequacy|scc|bcr"},
    {"agreements[].processor_agreement", COND_T_BOOL, NULL},
    {"agreements[].ownership", COND_T_BOOL, NULL},
    {"agreements[].copyright_statement", COND_T_BOOL, NULL},
    {"agreements[].change_control", COND_T_BOOL, NULL},
    {"agreements[].audit_rights", COND_T_BOOL, NULL},
    {"agreements[].liability", COND_T_BOOL, NULL},
    {"agreements[].exit_clause", COND_T_BOOL, NULL},
    {"agreements[].arbit", COND_T_BOOL, NULL},
    {"data", COND_T_OBJ, NULL},
    {"data.personal_data", COND_T_BOOL, NULL},
    {"data.categories", COND_T_LIST_STR, NULL},
    {"data.special_categories", COND_T_LIST_STR, NULL},
    {"data.classification", COND_T_ENUM,
     "none|intern|dep_vertrouwelijk|stg_confidentieel|stg_geheim|stg_zeer_geheim"},
    {"data.confidential", COND_T_BOOL, NULL},
    {"data.sources", COND_T_LIST_STR, NULL},
    {"data.basisregistratie", COND_T_BOOL, NULL},
    {"data.subjects", COND_T_LIST_ENUM, "employees|citizens|children|vulnerable"},
    {"data.subject_count", COND_T_INT, NULL},
    {"data.frequency", COND_T_ENUM, "once|yearly|monthly|weekly|daily|continuous"},
    {"data.retention_years", COND_T_INT, NULL},
    {"data.outside_eea", COND_T_BOOL, NULL},
    {"prescan", COND_T_OBJ, NULL},
    {"prescan.new_legislation", COND_T_BOOL, NULL},
    {"prescan.ap_list", COND_T_LIST_STR, NULL},
    {"prescan.edpb_criteria", COND_T_LIST_ENUM,
     "evaluation_scoring|automated_decision|systematic_monitoring|sensitive_data|large_scale|"
     "matching|vulnerable_subjects|innovative_technology|prevents_rights"},
    {"prescan.transfers_score", COND_T_INT, NULL},
    {"prescan.minors_score", COND_T_INT, NULL},
    {"prescan.targets_minors", COND_T_BOOL, NULL},
    {"ai_act", COND_T_OBJ, NULL},
    {"ai_act.role", COND_T_ENUM, "provider|deployer|importer|distributor"},
    {"ai_act.system_type", COND_T_ENUM, "ai_system|gpai_system|gpai_model"},
    {"ai_act.excluded", COND_T_ENUM, "none|military|research|personal"},
    {"ai_act.prohibited_practices", COND_T_LIST_STR, NULL},
    {"ai_act.annex_i_product", COND_T_BOOL, NULL},
    {"ai_act.annex_iii_area", COND_T_ENUM,
     "none|biometrics|critical_infrastructure|education|employment|essential_services|"
     "law_enforcement|migration|justice"},
    {"ai_act.art6_3_exception", COND_T_BOOL, NULL},
    {"ai_act.profiling", COND_T_BOOL, NULL},
    {"ai_act.interacts_with_people", COND_T_BOOL, NULL},
    {"ai_act.generates_synthetic_content", COND_T_BOOL, NULL},
    {"ai_act.emotion_recognition", COND_T_BOOL, NULL},
    {"ai_act.deepfake", COND_T_BOOL, NULL},
    {"ai_act.impactful", COND_T_BOOL, NULL},
    {"assessments", COND_T_LIST_OBJ, NULL},
    {"assessments[].kind", COND_T_ENUM,
     "dpia_prescan|dpia|dtia|kia|iama|fria|aiia|ai_act_classification|bio_risk_analysis|"
     "copyright_review"},
    {"assessments[].status", COND_T_ENUM, "planned|in_progress|completed"},
    {"assessments[].date", COND_T_DATE, NULL},
    {"assessments[].outcome", COND_T_STR, NULL},
    {"assessments[].link", COND_T_STR, NULL},
    {"advice", COND_T_LIST_OBJ, NULL},
    {"advice[].role", COND_T_STR, NULL},
    {"advice[].by", COND_T_STR, NULL},
    {"advice[].date", COND_T_DATE, NULL},
    {"advice[].outcome", COND_T_ENUM, "positive|positive_with_conditions|negative"},
    {"advice[].conditions", COND_T_STR, NULL},
    {"decision", COND_T_OBJ, NULL},
    {"decision.by", COND_T_STR, NULL},
    {"decision.role", COND_T_STR, NULL},
    {"decision.date", COND_T_DATE, NULL},
    {"decision.outcome", COND_T_ENUM, "approved|rejected"},
    {"decision.environment", COND_T_ENUM, ENVS},
    {"decision.conditions", COND_T_STR, NULL},
    {"decision.dossier_hash", COND_T_STR, NULL},
    {"decision.policy_version", COND_T_STR, NULL},
    {"literacy", COND_T_OBJ, NULL},
    {"literacy.required_level", COND_T_ENUM, "bewust|bekwaam|vloeiend|expert"},
    {"literacy.programme", COND_T_BOOL, NULL},
    {"oversight", COND_T_OBJ, NULL},
    {"oversight.human_oversight", COND_T_BOOL, NULL},
    {"oversight.log_retention_days", COND_T_INT, NULL},
    {"oversight.workers_informed", COND_T_BOOL, NULL},
    {"retention", COND_T_OBJ, NULL},
    {"retention.prompts_archived", COND_T_BOOL, NULL},
    {"retention.selection_list", COND_T_STR, NULL},
    {"open_source_explanation", COND_T_STR, NULL},
    {"european_explanation", COND_T_STR, NULL},
    {"review_date", COND_T_DATE, NULL},
    {"exit_plan", COND_T_STR, NULL},
    {"kill_switch", COND_T_BOOL, NULL},
    {"publication", COND_T_OBJ, NULL},
    {"publication.contact_email", COND_T_STR, NULL},
    {"publication.website", COND_T_STR, NULL},
    {"publication.status", COND_T_ENUM, "in_ontwikkeling|in_gebruik|buiten_gebruik"},
    {"publication.begin_date", COND_T_STR, NULL},
    {"publication.theme", COND_T_STR, NULL},
    /* derived facts (src/core/derive.h; roles from the policy's role matrix) */
    {"derived.procured", COND_T_BOOL, NULL},
    {"derived.prescan.score", COND_T_INT, NULL},
    {"derived.prescan.dpia", COND_T_ENUM, "required|recommended|not_required"},
    {"derived.prescan.dtia", COND_T_ENUM, "required|not_required"},
    {"derived.prescan.kia", COND_T_ENUM, "recommended|not_required"},
    {"derived.prescan.iama", COND_T_ENUM, "recommended|not_required"},
    {"derived.ai_act.class", COND_T_ENUM, "excluded|prohibited|high_risk|transparency|minimal"},
    {"derived.ai_act.high_risk", COND_T_BOOL, NULL},
    {"derived.ai_act.transparency_duty", COND_T_BOOL, NULL},
    {"derived.ai_act.gpai", COND_T_BOOL, NULL},
    {"derived.ai_act.systemic_risk", COND_T_BOOL, NULL},
    {"derived.roles.required", COND_T_LIST_STR, NULL},
    {"derived.roles.missing", COND_T_LIST_STR, NULL},
    {"derived.decision.hash", COND_T_STR, NULL},
    {"derived.decision.valid", COND_T_BOOL, NULL},
    {"derived.agreements.missing", COND_T_LIST_STR, NULL},
    {"derived.eval_date", COND_T_DATE, NULL},
    {"derived.consumer_terms", COND_T_BOOL, NULL},
    {"derived.sensitive_data", COND_T_BOOL, NULL},
    {"derived.prescan.complete", COND_T_BOOL, NULL},
    {"derived.prescan.edpb_count", COND_T_INT, NULL},
    {"derived.prescan.ap_list_count", COND_T_INT, NULL},
    {"derived.ai_act.prohibited", COND_T_BOOL, NULL},
    {"derived.ai_act.role", COND_T_ENUM, "provider|deployer|importer|distributor"},
    {"derived.decision.present", COND_T_BOOL, NULL},
    {"derived.exploration.controlled", COND_T_BOOL, NULL},
    {"derived.exploration.expired", COND_T_BOOL, NULL},
    {"derived.exploration.has_end", COND_T_BOOL, NULL},
    {"derived.models.open_source", COND_T_BOOL, NULL},
    {"derived.models.european", COND_T_BOOL, NULL},
    {"derived.models.count", COND_T_INT, NULL},
};

const struct cond_field *cond_schema_find(const char *path, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strlen(fields[i].path) == len && memcmp(fields[i].path, path, len) == 0)
            return &fields[i];
    }
    return NULL;
}

size_t cond_schema_count(void)
{
    return sizeof fields / sizeof fields[0];
}

const struct cond_field *cond_schema_at(size_t i)
{
    return i < cond_schema_count() ? &fields[i] : NULL;
}

int cond_schema_enum_has(const struct cond_field *f, const char *value, size_t len)
{
    const char *p = f->values;

    if (!p)
        return 0;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && memcmp(p, value, len) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

const char *cond_schema_type_name(enum cond_type t)
{
    static const char *const names[] = {"bool", "int",        "str",          "date",  "enum",
                                        "list", "list(enum)", "list(object)", "object"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}
