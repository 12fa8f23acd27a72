//! Schema pieces the crates' `ToSchema` derives share (feature `openapi`).

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// Any JSON value, written as the list of every JSON type rather than as
/// a schema without `type`: both mean the same, and this one reads back
/// through utoipa's own model (which needs `type`). For fields such as
/// `serde_json::Value`: `#[schema(schema_with = herald_core::openapi::any_json)]`.
pub fn any_json() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![
            Type::Object,
            Type::Array,
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Null,
        ]))
        .build()
}
