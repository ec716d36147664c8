from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jumin.core.models import ApiToken, AuditEntry, JobRun, Region, User


@admin.register(User)
class StaffAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (
        (
            "jumin",
            {
                "fields": (
                    "full_name",
                    "role",
                    "region",
                    "phone",
                    "must_change_password",
                )
            },
        ),
    )
    list_display = ("username", "full_name", "role", "region", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("region",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "region_code")
    list_filter = ("action",)
    search_fields = ("object_id", "actor_name", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "done", "total", "created_at")
    list_filter = ("kind", "status")
