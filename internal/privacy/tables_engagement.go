package privacy

// engagementTables declares each school's engagement thresholds. The
// summaries are computed from activity_events and item_progress (declared
// with the course tables) and never stored.
var engagementTables = []Table{
	{
		Name: "engagement_settings", Owner: Tenant, Description: "A school's thresholds under which a learner's engagement summary is flagged for their teachers.",
		Columns: []Column{
			key("tenant_id"), key("school_id"),
			col("inactive_days", Organisation, "flag learners with no recent activity for their teachers' attention", PublicTask, untilContract, Export, Retain),
			col("min_items_opened_percent", Organisation, "flag learners who opened few items for their teachers' attention", PublicTask, untilContract, Export, Retain),
			col("updated_by", Key, "who last changed the thresholds", PublicTask, untilContract, Export, Anonymise).person(),
			col("updated_at", Record, "record keeping", PublicTask, untilContract, Export, Retain),
		},
	},
}
