"""orders table

Revision ID: 26fe0eb775c8
Revises: nothing (the first)
Created: 2026-11-24 19:14:40.757712
"""
from alembic import op
import sqlalchemy as sa


revision = '26fe0eb775c8'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.String(length=64), nullable=False),
        sa.Column('customer', sa.String(length=200), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=2),
                  nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('order_id'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_customer'),
                              ['customer'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_customer'))
    op.drop_table('orders')
