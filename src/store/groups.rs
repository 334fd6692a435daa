//! Groups of people and who is in them (the `groups` claim). Deleting a person or a group
//! removes their memberships (foreign keys with `ON DELETE CASCADE`).

use super::users::{User, COLUMNS as USER_COLUMNS};
use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Group {
    pub name: String,
    pub description: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// How many people are in the group.
    pub members: i64,
}

const GROUP_SELECT: &str = "SELECT g.name, g.description, g.created_at, g.updated_at, \
     (SELECT COUNT(*) FROM group_members m WHERE m.group_name = g.name) AS members \
     FROM user_groups g";

impl Store {
    /// Adds a group; false when one with that name exists.
    pub async fn insert_group(
        &self,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO user_groups (name, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(description)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn get_group(&self, name: &str) -> StoreResult<Option<Group>> {
        let sql = format!("{GROUP_SELECT} WHERE g.name = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(name).fetch_optional(pool).await?
        }))
    }

    /// Every group, by name.
    pub async fn list_groups(&self) -> StoreResult<Vec<Group>> {
        let sql = format!("{GROUP_SELECT} ORDER BY g.name");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    /// Deletes a group and its memberships; false when there was none.
    pub async fn delete_group(&self, name: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM user_groups WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Puts a person in a group; false when they already were.
    pub async fn add_group_member(
        &self,
        group: &str,
        user_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO group_members (group_name, user_id, added_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (group_name, user_id) DO NOTHING",
            )
            .bind(group)
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Takes a person out of a group; false when they were not in it.
    pub async fn remove_group_member(&self, group: &str, user_id: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM group_members WHERE group_name = $1 AND user_id = $2")
                .bind(group)
                .bind(user_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// The people in a group, oldest account first.
    pub async fn group_members(&self, group: &str) -> StoreResult<Vec<User>> {
        let cols = USER_COLUMNS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_name = $1 ORDER BY u.created_at, u.id"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(group).fetch_all(pool).await?
        }))
    }

    /// The names of the groups a person is in, sorted (the `groups` claim).
    pub async fn groups_of_user(&self, user_id: &str) -> StoreResult<Vec<String>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT group_name FROM group_members WHERE user_id = $1 ORDER BY group_name",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }
}
